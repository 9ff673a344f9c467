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
}
