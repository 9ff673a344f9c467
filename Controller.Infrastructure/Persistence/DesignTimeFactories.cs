using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Controller.Infrastructure.Persistence;

// Used by `dotnet ef` to create and script migrations per provider; no database is contacted for that.
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteControllerDbContext>
{
    public SqliteControllerDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteControllerDbContext>().UseSqlite("Data Source=design.db").Options);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresControllerDbContext>
{
    public PostgresControllerDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresControllerDbContext>().UseNpgsql("Host=localhost;Database=controller").Options);
}

internal sealed class SqlServerDesignTimeFactory : IDesignTimeDbContextFactory<SqlServerControllerDbContext>
{
    public SqlServerControllerDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqlServerControllerDbContext>().UseSqlServer("Server=localhost;Database=controller;TrustServerCertificate=True").Options);
}
