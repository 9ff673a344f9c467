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
    public void PostgresConnectionString_PooledConnectionsAreNotReset_UnlessTheStringSaysSo()
    {
        var completed = new NpgsqlConnectionStringBuilder(DependencyInjection.PostgresConnectionString("Host=db;Database=controller"));
        var asked = new NpgsqlConnectionStringBuilder(DependencyInjection.PostgresConnectionString("Host=db;Database=controller;No Reset On Close=false"));

        Assert.That((completed.NoResetOnClose, completed.Host, completed.Database), Is.EqualTo((true, "db", "controller")));
        Assert.That(asked.NoResetOnClose, Is.False);
    }

    [TestCase("Sqlite", null, true, null)]
    [TestCase("Postgres", null, null, 4)]
    [TestCase("Postgres", "true", true, 4)]
    [TestCase("Sqlite", "false", false, null)]
    [TestCase("SqlServer", null, null, null)]
    public void BatchWrites_OnForSQLitesOneWriter_UnlessSet_SeveralLoopsOnPostgreSQL(string provider, string? set, bool? expected, int? loops)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider,
            ["ConnectionStrings:Controller"] = provider switch
            {
                "Sqlite" => $"Data Source={Path.Combine(Path.GetTempPath(), "di-test.db")}",
                "SqlServer" => "Server=db;Database=controller",
                _ => "Host=db;Database=controller",
            },
            ["Scheduling:BatchWrites"] = set,
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var collection = new ServiceCollection();
        collection.AddOptions<SchedulingOptions>().Bind(configuration.GetSection("Scheduling")); // as the application layer binds it
        using var services = collection.AddInfrastructureServices(configuration).BuildServiceProvider();

        var scheduling = services.GetRequiredService<IOptions<SchedulingOptions>>().Value;
        Assert.That((scheduling.BatchWrites, scheduling.WriteBatchLoops), Is.EqualTo((expected, loops)));
    }
}
