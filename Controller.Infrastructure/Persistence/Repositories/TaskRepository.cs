using Controller.Application.Common.Interfaces;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Controller.Domain.Work;
using Microsoft.EntityFrameworkCore;

namespace Controller.Infrastructure.Persistence.Repositories;

internal sealed class TaskRepository(ControllerDbContext db, IDatabaseWriteGate writeGate) : ITaskRepository
{
    private static readonly EngineInstanceState[] Ended = [EngineInstanceState.Stopped, EngineInstanceState.Failed, EngineInstanceState.Lost];

    private static readonly WorkTaskState[] Finished = [WorkTaskState.Succeeded, WorkTaskState.Failed, WorkTaskState.Cancelled];

    // Compiled: the queries of every getwork call.
    // What an instance holds, read through its held-task index: its leased and cancelled tasks, by these two states and
    // nothing else, so that no plan can prefer another index (an or-ed condition on the lease let PostgreSQL scan every
    // leased entry of the table, dead ones included). Cancelled tasks whose lease has ended are left out after the read.
    private static readonly Func<ControllerDbContext, Guid, IAsyncEnumerable<WorkTask>> HeldBy =
        EF.CompileAsyncQuery((ControllerDbContext db, Guid instanceId) => db.Tasks.Where(t => t.InstanceId == instanceId
            && new[] { WorkTaskState.Leased, WorkTaskState.Cancelled }.Contains(t.State)));

    private static readonly Func<ControllerDbContext, Guid, int, IAsyncEnumerable<WorkTask>> Queued =
        EF.CompileAsyncQuery((ControllerDbContext db, Guid engineId, int count) => db.Tasks
            .Where(t => t.EngineId == engineId && t.State == WorkTaskState.Queued)
            .OrderByDescending(t => t.Priority).ThenBy(t => t.CreatedAt).ThenBy(t => t.Id)
            .Take(count));

    public Task<WorkTask?> FindAsync(Guid taskId, CancellationToken cancellationToken) =>
        db.Tasks.FirstOrDefaultAsync(t => t.Id == taskId, cancellationToken);

    public Task<WorkTask?> FindByIdempotencyKeyAsync(Guid engineId, string idempotencyKey, CancellationToken cancellationToken) =>
        db.Tasks.FirstOrDefaultAsync(t => t.EngineId == engineId && t.IdempotencyKey == idempotencyKey, cancellationToken);

    public Task<List<WorkTask>> FindManyAsync(IReadOnlyCollection<Guid> taskIds, CancellationToken cancellationToken) =>
        db.Tasks.Where(t => taskIds.Contains(t.Id)).ToListAsync(cancellationToken);

    public void Add(WorkTask task) => db.Tasks.Add(task);

    public Task<List<WorkTask>> ClaimQueuedAsync(Guid engineId, int count, CancellationToken cancellationToken) => db switch
    {
        PostgresControllerDbContext => ClaimOnPostgresAsync(engineId, count, cancellationToken),
        SqlServerControllerDbContext => db.Tasks.FromSql($"""
            SELECT TOP ({count}) * FROM [Tasks] WITH (UPDLOCK, ROWLOCK, READPAST)
            WHERE [EngineId] = {engineId} AND [State] = N'Queued'
            ORDER BY [Priority] DESC, [CreatedAt], [Id]
            """).ToListAsync(cancellationToken),

        // SQLite has one writer: the transaction runs under the process's write gate, and the version check refuses
        // a claim that another process made meanwhile.
        _ => Queued(db, engineId, count).ToListAsync(cancellationToken).AsTask(),
    };

    /// <summary>
    /// The claim walks the claim index in its order and stops after <paramref name="count"/> rows. Sorts are ruled out for
    /// the rest of the transaction first: when the table's statistics do not know the engine yet (a new engine given a
    /// burst of tasks, a table filled since the last analyze), PostgreSQL estimated a handful of queued rows and chose to
    /// collect and sort all of them instead (a cost that grows with the backlog; docs/benchmarks.md), where the index walk reads only
    /// what it takes.
    /// </summary>
    private async Task<List<WorkTask>> ClaimOnPostgresAsync(Guid engineId, int count, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlRawAsync("SET LOCAL enable_sort = off", cancellationToken);

        // Row locks held to the end of the transaction; rows another claimer holds are skipped, not waited for.
        return await db.Tasks.FromSql($"""
            SELECT * FROM "Tasks"
            WHERE "EngineId" = {engineId} AND "State" = 'Queued'
            ORDER BY "Priority" DESC, "CreatedAt", "Id"
            LIMIT {count}
            FOR UPDATE SKIP LOCKED
            """).ToListAsync(cancellationToken);
    }

    public async Task<List<WorkTask>> ListHeldByAsync(Guid instanceId, DateTimeOffset now, CancellationToken cancellationToken) =>
        Held(await HeldBy(db, instanceId).ToListAsync(cancellationToken), now);

    public async Task<List<(EngineInstance Instance, List<WorkTask> Held)>> ListInstancesWithHeldAsync(
        IReadOnlyCollection<Guid> instanceIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rows = await db.EngineInstances.Where(i => instanceIds.Contains(i.Id))
            .Select(i => new
            {
                Instance = i,
                Held = db.Tasks.Where(t => t.InstanceId == i.Id && new[] { WorkTaskState.Leased, WorkTaskState.Cancelled }.Contains(t.State)).ToList(),
            })
            .ToListAsync(cancellationToken);
        return rows.ConvertAll(r => (r.Instance, Held(r.Held, now)));
    }

    /// <summary>Leased tasks (their leases may have ended), and cancelled ones whose lease has not ended yet.</summary>
    private static List<WorkTask> Held(List<WorkTask> leasedOrCancelled, DateTimeOffset now) =>
        leasedOrCancelled.FindAll(t => t.State == WorkTaskState.Leased || t.LeaseExpiresAt > now);

    public Task<List<WorkTask>> ListAsync(Guid? engineId, WorkTaskState? state, Guid? submittedBy, Guid? before, int limit, CancellationToken cancellationToken)
    {
        var query = db.Tasks.AsNoTracking();
        if (submittedBy is { } submitter)
        {
            query = query.Where(t => t.SubmittedBy == submitter);
        }

        if (engineId is { } engine)
        {
            query = query.Where(t => t.EngineId == engine);
        }

        if (state is { } s)
        {
            query = query.Where(t => t.State == s);
        }

        if (before is { } cursor)
        {
            query = query.Where(t => t.Id.CompareTo(cursor) < 0);
        }

        return query.OrderByDescending(t => t.Id).Take(limit).ToListAsync(cancellationToken);
    }

    public Task<EndedAttempts> ExpireLeasesAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        EndAttemptsAsync(db.Tasks.Where(t => t.State == WorkTaskState.Leased && t.LeaseExpiresAt <= now), q => q.OrderBy(t => t.LeaseExpiresAt),
            WorkTask.ErrorLeaseExpired, now, limit, cancellationToken);

    public Task<EndedAttempts> ReleaseHeldByEndedInstancesAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        EndAttemptsAsync(db.Tasks.Where(t => t.State == WorkTaskState.Leased && db.EngineInstances.Any(i => i.Id == t.InstanceId && Ended.Contains(i.State))),
            q => q.OrderBy(t => t.Id), WorkTask.ErrorInstanceEnded, now, limit, cancellationToken);

    /// <summary>
    /// The attempts of the tasks <paramref name="due"/> selects end: the domain says for each where it goes
    /// (<see cref="WorkTask.AfterAbandonedAttempt"/>), and one statement per destination moves them, setting what
    /// <c>WorkTask.EndLease</c> sets (tested against it), under the same condition again so that a task that left its
    /// lease meanwhile (an outcome, a renewal) is not touched.
    /// </summary>
    private async Task<EndedAttempts> EndAttemptsAsync(IQueryable<WorkTask> due, Func<IQueryable<WorkTask>, IQueryable<WorkTask>> firstDue,
        string error, DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        var found = await firstDue(due).Take(limit).Select(t => new { t.Id, t.EngineId, t.Attempts, t.MaxAttempts }).ToListAsync(cancellationToken);
        var requeued = found.Where(t => WorkTask.AfterAbandonedAttempt(t.Attempts, t.MaxAttempts) == WorkTaskState.Queued).ToList();
        var requeue = requeued.Select(t => t.Id).ToList();
        var deadLetter = found.Where(t => WorkTask.AfterAbandonedAttempt(t.Attempts, t.MaxAttempts) == WorkTaskState.Failed).Select(t => t.Id).ToList();
        using var _ = await writeGate.EnterAsync(cancellationToken);
        var back = requeue.Count == 0 ? 0 : await due.Where(t => requeue.Contains(t.Id)).ExecuteUpdateAsync(u => u
            .SetProperty(t => t.State, WorkTaskState.Queued)
            .SetProperty(t => t.LeaseExpiresAt, (DateTimeOffset?)null)
            .SetProperty(t => t.Error, error)
            .SetProperty(t => t.UpdatedAt, now)
            .SetProperty(t => t.Version, t => t.Version + 1), cancellationToken);
        var changed = back + (deadLetter.Count == 0 ? 0 : await due.Where(t => deadLetter.Contains(t.Id)).ExecuteUpdateAsync(u => u
            .SetProperty(t => t.State, WorkTaskState.Failed)
            .SetProperty(t => t.FinishedAt, now)
            .SetProperty(t => t.Error, error)
            .SetProperty(t => t.UpdatedAt, now)
            .SetProperty(t => t.Version, t => t.Version + 1), cancellationToken));
        var byEngine = back == 0 ? new Dictionary<Guid, int>() : requeued.CountBy(t => t.EngineId).ToDictionary();
        return new EndedAttempts(found.Count, changed, byEngine);
    }

    /// <summary>
    /// From the engines that are not active (few) to their queued tasks through the claim index, so that a sweep does
    /// not visit every queued task of the live engines (hundreds of thousands under a backlog) to find none.
    /// </summary>
    public async Task<List<WorkTask>> ListQueuedOfDeletedEnginesAsync(int limit, CancellationToken cancellationToken)
    {
        var gone = await db.Engines.AsNoTracking().Where(e => e.State != EngineState.Active).Select(e => e.Id).ToListAsync(cancellationToken);
        return gone.Count == 0
            ? []
            : await db.Tasks.Where(t => gone.Contains(t.EngineId) && t.State == WorkTaskState.Queued)
                .OrderBy(t => t.Id)
                .Take(limit)
                .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Per engine: two counts, each at most one more than the limit along one range of an index, with no grouping or
    /// sorting (a grouped count over both states had PostgreSQL sort the whole backlog to disk), and the oldest queued
    /// task from the queued-only index, one entry.
    /// </summary>
    public async Task<Dictionary<Guid, TaskBacklog>> BacklogAsync(IReadOnlyCollection<Guid> engineIds, int countLimit, CancellationToken cancellationToken)
    {
        var backlog = new Dictionary<Guid, TaskBacklog>();
        foreach (var engineId in engineIds)
        {
            // Ordered as the (EngineId, State, Id) index is: the range is read in its order, nothing sorted.
            var queued = await db.Tasks.Where(t => t.EngineId == engineId && t.State == WorkTaskState.Queued).OrderBy(t => t.Id).Take(countLimit + 1).CountAsync(cancellationToken);
            var leased = await db.Tasks.Where(t => t.EngineId == engineId && t.State == WorkTaskState.Leased).OrderBy(t => t.Id).Take(countLimit + 1).CountAsync(cancellationToken);
            if (queued + leased == 0)
            {
                continue;
            }

            var oldest = queued == 0
                ? (DateTimeOffset?)null
                : await db.Tasks.AsNoTracking()
                    .Where(t => t.EngineId == engineId && t.State == WorkTaskState.Queued)
                    .OrderBy(t => t.CreatedAt)
                    .Select(t => (DateTimeOffset?)t.CreatedAt)
                    .FirstOrDefaultAsync(cancellationToken);
            backlog[engineId] = TaskBacklog.Counted(queued, leased, countLimit, oldest);
        }

        return backlog;
    }
}
