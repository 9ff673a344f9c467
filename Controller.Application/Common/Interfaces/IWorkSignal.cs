namespace Controller.Application.Common.Interfaces;

/// <summary>
/// Tells the held getwork calls of every replica, this one included, what a commit changed for them (after the commit):
/// in process on one replica (SQLite), through the database's notifications where it has them (PostgreSQL); where it has
/// none (SQL Server) the other replicas' held calls find the change when they ask again, every <see cref="ReaskInterval"/>.
/// </summary>
public interface IWorkSignal
{
    /// <summary>
    /// How often a held call asks again on its own; none where every change reaches every replica's held calls (they
    /// wait until woken or until their wait ends, and a replica whose notifications dropped wakes all of its own when it
    /// listens again).
    /// </summary>
    TimeSpan? ReaskInterval { get; }

    Task SendAsync(WorkWakeups wakeups, CancellationToken cancellationToken);
}

/// <summary>
/// What held getwork calls learn of a commit: tasks queued per engine (submitted, or put back by a retry, an expired
/// lease or a release: each wakes one call of its engine, oldest first), engines some of whose copies may have to stop
/// (every call of theirs asks again), and hosts that no longer take work (every call on them asks again).
/// </summary>
public sealed record WorkWakeups(IReadOnlyDictionary<Guid, int> TasksQueued, IReadOnlyCollection<Guid> Engines, IReadOnlyCollection<Guid> Hosts)
{
    public static readonly WorkWakeups None = new(new Dictionary<Guid, int>(), [], []);

    public bool IsEmpty => TasksQueued.Count == 0 && Engines.Count == 0 && Hosts.Count == 0;

    /// <summary>Tasks queued for these engines, nothing else.</summary>
    public static WorkWakeups Tasks(IReadOnlyDictionary<Guid, int> tasksQueued) => new(tasksQueued, [], []);

    /// <summary>
    /// Of a commit: its queued tasks; the engines whose copies left (stopped, failed, lost), were scaled down (queue-scaled
    /// ones let idle copies go) or are being deleted; the hosts saved in a state that takes no work (draining, terminating,
    /// lost).
    /// </summary>
    public static WorkWakeups Of(CommittedChanges changes) => new(
        changes.TasksQueued,
        [.. changes.EnginesWithCopiesLeaving.Concat(changes.Engines.Where(e => e.Surplus > 0 || e.State != Domain.Engines.EngineState.Active).Select(e => e.Id)).Distinct()],
        [.. changes.Hosts.Where(h => h.State != Domain.Hosts.HostState.Active).Select(h => h.Id).Distinct()]);
}
