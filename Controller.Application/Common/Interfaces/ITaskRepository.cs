using Controller.Domain.EngineInstances;
using Controller.Domain.Work;

namespace Controller.Application.Common.Interfaces;

/// <summary>The task queue's rows. Reads are tracked (for update) unless they say otherwise.</summary>
public interface ITaskRepository
{
    Task<WorkTask?> FindAsync(Guid taskId, CancellationToken cancellationToken);

    Task<WorkTask?> FindByIdempotencyKeyAsync(Guid engineId, string idempotencyKey, CancellationToken cancellationToken);

    Task<List<WorkTask>> FindManyAsync(IReadOnlyCollection<Guid> taskIds, CancellationToken cancellationToken);

    void Add(WorkTask task);

    /// <summary>
    /// Up to <paramref name="count"/> queued tasks of the engine, highest priority first and oldest first within a
    /// priority, locked until the surrounding transaction (<see cref="IUnitOfWork.InTransactionAsync{T}"/>) ends;
    /// rows another transaction holds are skipped, not waited for.
    /// </summary>
    Task<List<WorkTask>> ClaimQueuedAsync(Guid engineId, int count, CancellationToken cancellationToken);

    /// <summary>
    /// What the instance holds, in one read: tasks leased to it (their leases may have expired) and tasks cancelled while
    /// it held them whose lease has not ended yet (it is to be told).
    /// </summary>
    Task<List<WorkTask>> ListHeldByAsync(Guid instanceId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Several instances (those that exist) with what each holds (as <see cref="ListHeldByAsync"/>), in one read.</summary>
    Task<List<(EngineInstance Instance, List<WorkTask> Held)>> ListInstancesWithHeldAsync(IReadOnlyCollection<Guid> instanceIds, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Newest first, after <paramref name="before"/> (the cursor: the last task id of the previous page). Not tracked.</summary>
    Task<List<WorkTask>> ListAsync(Guid? engineId, WorkTaskState? state, Guid? submittedBy, Guid? before, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Ends the attempt of at most <paramref name="limit"/> leased tasks whose lease ran out by <paramref name="now"/>, as
    /// <see cref="WorkTask.ExpireLease"/> does, in a few statements: each goes where
    /// <see cref="WorkTask.AfterAbandonedAttempt"/> says. A task that left its lease meanwhile is left as it is.
    /// </summary>
    Task<EndedAttempts> ExpireLeasesAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>The same for leased tasks whose instance has ended (stopped, failed, lost), as <see cref="WorkTask.Abandon"/> does.</summary>
    Task<EndedAttempts> ReleaseHeldByEndedInstancesAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>Queued tasks of engines that are being deleted or were deleted: nobody will run them.</summary>
    Task<List<WorkTask>> ListQueuedOfDeletedEnginesAsync(int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Queued and leased counts, each counted up to <paramref name="countLimit"/>, and the oldest queued task's time, per
    /// engine (engines without any are absent).
    /// </summary>
    Task<Dictionary<Guid, TaskBacklog>> BacklogAsync(IReadOnlyCollection<Guid> engineIds, int countLimit, CancellationToken cancellationToken);
}

/// <summary>
/// An engine's unfinished work. A count that reached the limit it was counted to says so (<see cref="QueuedCapped"/>,
/// <see cref="LeasedCapped"/>): there are at least that many.
/// </summary>
public sealed record TaskBacklog(int Queued, int Leased, DateTimeOffset? OldestQueuedAt)
{
    public static readonly TaskBacklog Empty = new(0, 0, null);

    public bool QueuedCapped { get; init; }

    public bool LeasedCapped { get; init; }

    /// <summary>Counts of up to <paramref name="limit"/> each, from counts of up to one more.</summary>
    public static TaskBacklog Counted(int queued, int leased, int limit, DateTimeOffset? oldestQueuedAt) =>
        new(Math.Min(queued, limit), Math.Min(leased, limit), oldestQueuedAt) { QueuedCapped = queued > limit, LeasedCapped = leased > limit };

    public long Total => (long)Queued + Leased;

    /// <summary>How long the oldest queued task has waited (null when none is queued).</summary>
    public double? OldestQueuedAgeSeconds(DateTimeOffset now) =>
        OldestQueuedAt is { } oldest ? Math.Max(0, (now - oldest).TotalSeconds) : null;
}

/// <summary>
/// What a set-based end of attempts did: the tasks it found, those it changed, and per engine those it put back in the
/// queue (to wake the engine's held getwork calls; at most one too many for a task another writer took meanwhile).
/// </summary>
public sealed record EndedAttempts(int Found, int Changed, IReadOnlyDictionary<Guid, int> Requeued)
{
    public static readonly EndedAttempts None = new(0, 0, new Dictionary<Guid, int>());
}
