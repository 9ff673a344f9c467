using Controller.Application.Common.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Controller.Infrastructure.Tests;

/// <summary>How the PostgreSQL connection string is completed; settings that depend on the database.</summary>
public sealed class DependencyInjectionTests
{
    [Test]
    public void PostgresConnectionString_NoReset_PreparedStatements_UnlessTheStringSaysSo()
    {
        var completed = new NpgsqlConnectionStringBuilder(DependencyInjection.PostgresConnectionString("Host=db;Database=controller;Options=-c statement_timeout=5000"));
        var asked = new NpgsqlConnectionStringBuilder(DependencyInjection.PostgresConnectionString(
            "Host=db;Database=controller;No Reset On Close=false;Max Auto Prepare=0;Options=-c plan_cache_mode=auto"));

        Assert.That((completed.NoResetOnClose, completed.MaxAutoPrepare, completed.Options, completed.Host, completed.Database),
            Is.EqualTo((true, 128, "-c statement_timeout=5000", "db", "controller")), "the server's own options and plan cache mode are left as they are");
        Assert.That((asked.NoResetOnClose, asked.MaxAutoPrepare, asked.Options), Is.EqualTo((false, 0, "-c plan_cache_mode=auto")));
    }

    [TestCase("Sqlite", 1)]
    [TestCase("Postgres", 4)]
    [TestCase("SqlServer", 4)]
    public void TheDatabaseProfile_ComesFromTheProvider(string provider, int writers)
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
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var services = new ServiceCollection().AddInfrastructureServices(configuration).BuildServiceProvider();

        Assert.That(services.GetRequiredService<DatabaseProfile>().ParallelWriters, Is.EqualTo(writers));
    }
}
