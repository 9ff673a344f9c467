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

    public override Task<long?> EventHorizonAsync(CancellationToken cancellationToken) => Task.FromResult<long?>(null);
}

public sealed class PostgresControllerDbContext(DbContextOptions<PostgresControllerDbContext> options) : ControllerDbContext(options)
{
    /// <summary>The advisory lock key held (shared) by the transactions writing cluster events.</summary>
    public const long EventWriterLock = 0x636F6E7472_6576;

    protected override Task SerializeEventWritersAsync(CancellationToken cancellationToken) =>
        Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock_shared({EventWriterLock})", cancellationToken);

    // One statement in a transaction of its own: the lock is released as it ends, whatever happens (nothing is left on a
    // pooled connection).
    protected override Task WaitForEventWritersAsync(CancellationToken cancellationToken) =>
        Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({EventWriterLock})", cancellationToken);
}

public sealed class SqlServerControllerDbContext(DbContextOptions<SqlServerControllerDbContext> options) : ControllerDbContext(options)
{
    protected override Task SerializeEventWritersAsync(CancellationToken cancellationToken) =>
        Database.ExecuteSqlRawAsync("EXEC sp_getapplock @Resource = N'controller-events', @LockMode = N'Shared', @LockOwner = N'Transaction'", cancellationToken);

    protected override Task WaitForEventWritersAsync(CancellationToken cancellationToken) =>
        Database.ExecuteSqlRawAsync(
            "EXEC sp_getapplock @Resource = N'controller-events', @LockMode = N'Exclusive', @LockOwner = N'Session'; " +
            "EXEC sp_releaseapplock @Resource = N'controller-events', @LockOwner = N'Session'", cancellationToken);
}
