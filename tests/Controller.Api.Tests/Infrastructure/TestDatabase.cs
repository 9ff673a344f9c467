using Npgsql;

namespace Controller.Api.Tests.Infrastructure;

/// <summary>Where the tests' PostgreSQL is, when there is one (CI always starts one).</summary>
public static class TestDatabase
{
    public const string Variable = "CONTROLLER_TEST_POSTGRES";

    public static string? PostgresConnectionString() =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } cs ? cs : null;

    /// <summary>Creates an empty database on the server and returns its connection string.</summary>
    public static string CreatePostgresDatabase(string serverConnectionString)
    {
        var name = "ctl_" + Guid.NewGuid().ToString("N")[..16];
        using (var connection = new NpgsqlConnection(serverConnectionString))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"CREATE DATABASE \"{name}\"";
            command.ExecuteNonQuery();
        }

        return new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>
    /// Settings for several replicas on one fresh PostgreSQL database (the test is ignored on the SQLite pass: replicas
    /// share a server database, not the embedded file), with <paramref name="extra"/> on top.
    /// </summary>
    public static Dictionary<string, string?> SharedPostgresSettings(params (string Key, string Value)[] extra)
    {
        var postgres = PostgresConnectionString();
        if (postgres is null)
        {
            NUnit.Framework.Assert.Ignore("Several replicas share a server database; this test runs in the PostgreSQL pass of scripts/test.sh (set CONTROLLER_TEST_POSTGRES to run it here).");
        }

        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:Controller"] = CreatePostgresDatabase(postgres!),
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }
}
