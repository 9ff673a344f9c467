using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Controller.Infrastructure.Persistence;

/// <summary>
/// Per-connection SQLite settings. WAL (set once, persistent) lets readers run beside the one writer;
/// synchronous=NORMAL in WAL mode keeps every committed transaction across a process crash while
/// syncing the file at checkpoints rather than on every commit; temp_store=MEMORY keeps statement journals and sorts
/// in memory instead of creating, writing and deleting a temporary file for them (many per second under load). The settings belong to the native connection, which
/// the pool keeps open across many opens of the ADO.NET one, so they are applied once per native connection.
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    private const string Sql = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;";

    private static readonly ConditionalWeakTable<object, object> Applied = [];

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (FirstOpen(connection))
        {
            using var command = connection.CreateCommand();
            command.CommandText = Sql;
            command.ExecuteNonQuery();
        }
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (FirstOpen(connection))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = Sql;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static bool FirstOpen(DbConnection connection) =>
        connection is not SqliteConnection { Handle: { } handle } || Applied.TryAdd(handle, Sql);
}
