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

public sealed class PostgresControllerDbContext(DbContextOptions<PostgresControllerDbContext> options) : ControllerDbContext(options);

public sealed class SqlServerControllerDbContext(DbContextOptions<SqlServerControllerDbContext> options) : ControllerDbContext(options);
