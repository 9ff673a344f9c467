using Controller.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Controller.Infrastructure.Tests.Persistence;

/// <summary>A migrated SQLite file of its own for one test fixture.</summary>
public sealed class SqliteTestDatabase : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"controller-infra-{Guid.NewGuid():N}.db");

    public SqliteTestDatabase()
    {
        using var db = CreateContext();
        db.Database.Migrate();
    }

    public SqliteControllerDbContext CreateContext() =>
        new(new DbContextOptionsBuilder<SqliteControllerDbContext>().UseSqlite($"Data Source={_path};Pooling=False").Options);

    public void Dispose()
    {
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
        {
            File.Delete(file);
        }
    }
}
