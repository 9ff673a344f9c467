using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Controller.Infrastructure.Persistence;

/// <summary>SQLite: the embedded default. Times are stored as sortable integers so they can be compared in SQL.</summary>
public sealed class SqliteControllerDbContext(DbContextOptions<SqliteControllerDbContext> options) : ControllerDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }
}

public sealed class PostgresControllerDbContext(DbContextOptions<PostgresControllerDbContext> options) : ControllerDbContext(options)
{
    /// <summary>The advisory lock key that orders the transactions writing cluster events.</summary>
    public const long EventWriterLock = 0x636F6E7472_6576;

    protected override Task SerializeEventWritersAsync(CancellationToken cancellationToken) =>
        Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({EventWriterLock})", cancellationToken);
}

public sealed class SqlServerControllerDbContext(DbContextOptions<SqlServerControllerDbContext> options) : ControllerDbContext(options)
{
    protected override Task SerializeEventWritersAsync(CancellationToken cancellationToken) =>
        Database.ExecuteSqlRawAsync("EXEC sp_getapplock @Resource = N'controller-events', @LockMode = N'Exclusive', @LockOwner = N'Transaction'", cancellationToken);
}
