using Controller.Application.Common.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Controller.Infrastructure.Tests;

/// <summary>How the PostgreSQL connection string is completed; settings that depend on the database.</summary>
public sealed class DependencyInjectionTests
{
    [Test]
    public void PostgresConnectionString_PooledConnectionsAreNotReset_AndStatementsArePrepared_UnlessTheStringSaysSo()
    {
        var completed = new NpgsqlConnectionStringBuilder(DependencyInjection.PostgresConnectionString("Host=db;Database=controller"));
        var asked = new NpgsqlConnectionStringBuilder(DependencyInjection.PostgresConnectionString("Host=db;Database=controller;No Reset On Close=false;Max Auto Prepare=0"));

        Assert.That((completed.NoResetOnClose, completed.MaxAutoPrepare, completed.Host, completed.Database), Is.EqualTo((true, 128, "db", "controller")));
        Assert.That((asked.NoResetOnClose, asked.MaxAutoPrepare), Is.EqualTo((false, 0)));
    }

    [TestCase("Sqlite", null, true)]
    [TestCase("Postgres", null, null)]
    [TestCase("Postgres", "true", true)]
    [TestCase("Sqlite", "false", false)]
    public void BatchWrites_OnForSQLitesOneWriter_UnlessSet(string provider, string? set, bool? expected)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider,
            ["ConnectionStrings:Controller"] = provider == "Sqlite" ? $"Data Source={Path.Combine(Path.GetTempPath(), "di-test.db")}" : "Host=db;Database=controller",
            ["Scheduling:BatchWrites"] = set,
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var collection = new ServiceCollection();
        collection.AddOptions<SchedulingOptions>().Bind(configuration.GetSection("Scheduling")); // as the application layer binds it
        using var services = collection.AddInfrastructureServices(configuration).BuildServiceProvider();

        Assert.That(services.GetRequiredService<IOptions<SchedulingOptions>>().Value.BatchWrites, Is.EqualTo(expected));
    }
}
