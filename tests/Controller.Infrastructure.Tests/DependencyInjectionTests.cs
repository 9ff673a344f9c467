using Npgsql;

namespace Controller.Infrastructure.Tests;

/// <summary>How the PostgreSQL connection string is completed.</summary>
public sealed class DependencyInjectionTests
{
    [Test]
    public void PostgresConnectionString_PooledConnectionsAreNotReset_UnlessTheStringSaysSo()
    {
        var completed = new NpgsqlConnectionStringBuilder(DependencyInjection.PostgresConnectionString("Host=db;Database=controller"));
        var asked = new NpgsqlConnectionStringBuilder(DependencyInjection.PostgresConnectionString("Host=db;Database=controller;No Reset On Close=false"));

        Assert.That((completed.NoResetOnClose, completed.Host, completed.Database), Is.EqualTo((true, "db", "controller")));
        Assert.That(asked.NoResetOnClose, Is.False);
    }
}
