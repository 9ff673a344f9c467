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
    public void PostgresConnectionString_NoReset_PreparedStatements_UnlessTheStringSaysSo()
    {
        var completed = new NpgsqlConnectionStringBuilder(DependencyInjection.PostgresConnectionString("Host=db;Database=controller;Options=-c statement_timeout=5000"));
        var asked = new NpgsqlConnectionStringBuilder(DependencyInjection.PostgresConnectionString(
            "Host=db;Database=controller;No Reset On Close=false;Max Auto Prepare=0;Options=-c plan_cache_mode=auto"));

        Assert.That((completed.NoResetOnClose, completed.MaxAutoPrepare, completed.Options, completed.Host, completed.Database),
            Is.EqualTo((true, 128, "-c statement_timeout=5000", "db", "controller")), "the server's own options and plan cache mode are left as they are");
        Assert.That((asked.NoResetOnClose, asked.MaxAutoPrepare, asked.Options), Is.EqualTo((false, 0, "-c plan_cache_mode=auto")));
    }

    [TestCase("Sqlite", null, true, null)]
    [TestCase("Postgres", null, true, 4)]
    [TestCase("Postgres", "false", false, 4)]
    [TestCase("Sqlite", "false", false, null)]
    [TestCase("SqlServer", null, null, null)]
    public void BatchWrites_OnForSQLiteAndPostgreSQL_SeveralLoopsOnPostgreSQL_UnlessSet(string provider, string? set, bool? expected, int? loops)
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
