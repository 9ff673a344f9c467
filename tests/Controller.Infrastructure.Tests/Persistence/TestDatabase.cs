using Controller.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace Controller.Infrastructure.Tests.Persistence;

/// <summary>
/// A migrated database of its own for one test: a fresh database on the PostgreSQL server named by
/// CONTROLLER_TEST_POSTGRES when it is set (scripts/test.sh sets it for its PostgreSQL pass), else a SQLite file.
/// </summary>
public sealed class TestDatabase : IDisposable
{
    private readonly string? _sqlitePath;
    private readonly string? _postgres;

    /// <param name="migration">The last migration to apply (all when null): a test of a later migration starts there.</param>
    public TestDatabase(string? migration = null)
    {
        var server = Environment.GetEnvironmentVariable("CONTROLLER_TEST_POSTGRES");
        if (string.IsNullOrEmpty(server))
        {
            _sqlitePath = Path.Combine(Path.GetTempPath(), $"controller-infra-{Guid.NewGuid():N}.db");
        }
        else
        {
            var name = "ctl_infra_" + Guid.NewGuid().ToString("N")[..12];
            using (var connection = new NpgsqlConnection(server))
            {
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = $"CREATE DATABASE \"{name}\"";
                command.ExecuteNonQuery();
            }

            _postgres = new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = false }.ConnectionString;
        }

        MigrateTo(migration);
    }

    public string Provider => _postgres is null ? "Sqlite" : "Postgres";

    public ControllerDbContext CreateContext() => _postgres is null
        ? new SqliteControllerDbContext(new DbContextOptionsBuilder<SqliteControllerDbContext>().UseSqlite($"Data Source={_sqlitePath};Pooling=False").Options)
        : new PostgresControllerDbContext(new DbContextOptionsBuilder<PostgresControllerDbContext>().UseNpgsql(_postgres).Options);

    /// <summary>Applies the migrations up to <paramref name="migration"/> (all when null).</summary>
    public void MigrateTo(string? migration = null)
    {
        using var db = CreateContext();
        db.GetService<IMigrator>().Migrate(migration);
    }

    public void Dispose()
    {
        if (_sqlitePath is not null)
        {
            foreach (var file in new[] { _sqlitePath, _sqlitePath + "-wal", _sqlitePath + "-shm" })
            {
                File.Delete(file);
            }
        }
    }
}
