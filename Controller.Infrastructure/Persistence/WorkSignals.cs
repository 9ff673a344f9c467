using System.Globalization;
using System.Text;
using Controller.Application.Common.Interfaces;
using Controller.Application.Work;
using Microsoft.EntityFrameworkCore;

namespace Controller.Infrastructure.Persistence;

/// <summary>
/// One replica's held calls, woken in process. SQLite: the only replica, so every change reaches them and they never
/// re-ask; SQL Server: the other replicas' held calls re-ask every five seconds.
/// </summary>
internal sealed class LocalWorkSignal(WorkWaiters waiters, TimeSpan? reaskInterval) : IWorkSignal
{
    /// <summary>How often held calls re-ask where other replicas' changes do not reach them (SQL Server).</summary>
    public static readonly TimeSpan SqlServerReaskInterval = TimeSpan.FromSeconds(5);

    public TimeSpan? ReaskInterval => reaskInterval;

    public Task SendAsync(WorkWakeups wakeups, CancellationToken cancellationToken)
    {
        waiters.Apply(wakeups);
        return Task.CompletedTask;
    }
}

/// <summary>
/// PostgreSQL: this replica's held calls at once, the other replicas' through <c>NOTIFY</c> on <see cref="Channel"/>
/// (each listens on one connection, <c>WorkNotificationListener</c>, and wakes all of its held calls whenever it listens
/// again, so that a notification lost while it was away costs one re-ask, never a task).
/// </summary>
internal sealed class PostgresWorkSignal(WorkWaiters waiters, ReplicaIdentity replica, ControllerDbContext db) : IWorkSignal
{
    public const string Channel = "controller_work";

    /// <summary>Longest payload sent (PostgreSQL takes up to 8,000 bytes); a longer one becomes "everyone asks again".</summary>
    public const int MaxPayload = 7_900;

    public TimeSpan? ReaskInterval => null;

    public async Task SendAsync(WorkWakeups wakeups, CancellationToken cancellationToken)
    {
        waiters.Apply(wakeups);
        var payload = Format(replica.Id, wakeups);
        try
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_notify({Channel}, {payload})", cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The change is committed: the other replicas' held calls see it when they next ask (at the latest when
            // their wait ends).
        }
    }

    /// <summary>"replica t:engine:count e:engine h:host ...", or "replica *" when it would not fit.</summary>
    public static string Format(Guid replicaId, WorkWakeups wakeups)
    {
        var text = new StringBuilder(replicaId.ToString("N"));
        foreach (var (engineId, tasks) in wakeups.TasksQueued)
        {
            text.Append(" t:").Append(engineId.ToString("N")).Append(':').Append(tasks.ToString(CultureInfo.InvariantCulture));
        }

        foreach (var engineId in wakeups.Engines)
        {
            text.Append(" e:").Append(engineId.ToString("N"));
        }

        foreach (var hostId in wakeups.Hosts)
        {
            text.Append(" h:").Append(hostId.ToString("N"));
        }

        return text.Length <= MaxPayload ? text.ToString() : replicaId.ToString("N") + " *";
    }

    /// <summary>
    /// The wake-ups of a payload sent by another replica (<see langword="null"/> when it says everyone asks again); none
    /// for one of its own or one it cannot read.
    /// </summary>
    public static WorkWakeups? Parse(string payload, Guid ownReplicaId)
    {
        var parts = payload.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || !Guid.TryParse(parts[0], out var sender) || sender == ownReplicaId)
        {
            return WorkWakeups.None;
        }

        if (parts.Length == 2 && parts[1] == "*")
        {
            return null;
        }

        var tasks = new Dictionary<Guid, int>();
        var engines = new List<Guid>();
        var hosts = new List<Guid>();
        foreach (var fields in parts.Skip(1).Select(p => p.Split(':')))
        {
            switch (fields)
            {
                case ["t", var engine, var count] when Guid.TryParse(engine, out var engineId) && int.TryParse(count, CultureInfo.InvariantCulture, out var n):
                    tasks[engineId] = n;
                    break;
                case ["e", var engine] when Guid.TryParse(engine, out var engineId):
                    engines.Add(engineId);
                    break;
                case ["h", var host] when Guid.TryParse(host, out var hostId):
                    hosts.Add(hostId);
                    break;
            }
        }

        return new WorkWakeups(tasks, engines, hosts);
    }
}

/// <summary>This process among the replicas: tells its own notifications from the others'.</summary>
internal sealed record ReplicaIdentity(Guid Id);
