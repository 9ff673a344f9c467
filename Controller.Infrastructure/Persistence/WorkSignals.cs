using System.Globalization;
using Controller.Application.Common.Interfaces;
using Controller.Application.Work;
using Microsoft.EntityFrameworkCore;

namespace Controller.Infrastructure.Persistence;

/// <summary>One replica's held calls, woken in process (SQLite: one replica; SQL Server: the others re-ask).</summary>
internal sealed class LocalWorkSignal(WorkWaiters waiters) : IWorkSignal
{
    public Task TasksStoredAsync(IReadOnlyDictionary<Guid, int> tasksByEngine, CancellationToken cancellationToken)
    {
        foreach (var (engineId, tasks) in tasksByEngine)
        {
            waiters.Wake(engineId, tasks);
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// PostgreSQL: this replica's held calls at once, the other replicas' through <c>NOTIFY</c> on
/// <see cref="Channel"/> (each listens on one connection, <c>WorkNotificationListener</c>). A notification lost (a
/// listener reconnecting) costs its held calls at most their re-ask interval, never a task.
/// </summary>
internal sealed class PostgresWorkSignal(WorkWaiters waiters, ReplicaIdentity replica, ControllerDbContext db) : IWorkSignal
{
    public const string Channel = "controller_work";

    public async Task TasksStoredAsync(IReadOnlyDictionary<Guid, int> tasksByEngine, CancellationToken cancellationToken)
    {
        await new LocalWorkSignal(waiters).TasksStoredAsync(tasksByEngine, cancellationToken);
        var payload = Format(replica.Id, tasksByEngine);
        try
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_notify({Channel}, {payload})", cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The tasks are stored: the other replicas' held calls find them at their next re-ask.
        }
    }

    /// <summary>"replica engine:count engine:count ..." (well under PostgreSQL's 8,000-byte payload for a batch of 500).</summary>
    public static string Format(Guid replicaId, IReadOnlyDictionary<Guid, int> tasksByEngine) =>
        replicaId.ToString("N") + " " + string.Join(' ', tasksByEngine.Select(e => e.Key.ToString("N") + ":" + e.Value.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The engines and task counts of a payload sent by another replica; none for one of its own or one it cannot read.</summary>
    public static IEnumerable<(Guid EngineId, int Tasks)> Parse(string payload, Guid ownReplicaId)
    {
        var parts = payload.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || !Guid.TryParse(parts[0], out var sender) || sender == ownReplicaId)
        {
            yield break;
        }

        foreach (var part in parts.Skip(1))
        {
            var fields = part.Split(':');
            if (fields.Length == 2 && Guid.TryParse(fields[0], out var engineId) && int.TryParse(fields[1], CultureInfo.InvariantCulture, out var tasks))
            {
                yield return (engineId, tasks);
            }
        }
    }
}

/// <summary>This process among the replicas: tells its own notifications from the others'.</summary>
internal sealed record ReplicaIdentity(Guid Id);
