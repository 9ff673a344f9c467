using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Controller.Infrastructure.Persistence;

/// <summary>
/// Per-connection SQLite settings. WAL (set once, persistent) lets readers run beside the one writer;
/// synchronous=NORMAL in WAL mode keeps every committed transaction across a process crash while
/// syncing the file at checkpoints rather than on every commit.
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    private const string Sql = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Sql;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
