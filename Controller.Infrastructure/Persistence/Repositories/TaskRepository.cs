using Controller.Application.Common.Interfaces;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Controller.Domain.Work;
using Microsoft.EntityFrameworkCore;

namespace Controller.Infrastructure.Persistence.Repositories;

internal sealed class TaskRepository(ControllerDbContext db, IDatabaseWriteGate gate) : ITaskRepository
{
    private static readonly EngineInstanceState[] Ended = [EngineInstanceState.Stopped, EngineInstanceState.Failed, EngineInstanceState.Lost];

    private static readonly WorkTaskState[] Finished = [WorkTaskState.Succeeded, WorkTaskState.Failed, WorkTaskState.Cancelled];

    // Compiled: the queries of every getwork call.
    private static readonly Func<ControllerDbContext, Guid, DateTimeOffset, IAsyncEnumerable<WorkTask>> HeldBy =
        EF.CompileAsyncQuery((ControllerDbContext db, Guid instanceId, DateTimeOffset now) => db.Tasks.Where(t => t.InstanceId == instanceId
            && (t.State == WorkTaskState.Leased || (t.State == WorkTaskState.Cancelled && t.LeaseExpiresAt > now))));

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
        // Row locks held to the end of the transaction; rows another claimer holds are skipped, not waited for.
        PostgresControllerDbContext => db.Tasks.FromSql($"""
            SELECT * FROM "Tasks"
            WHERE "EngineId" = {engineId} AND "State" = 'Queued'
            ORDER BY "Priority" DESC, "CreatedAt", "Id"
            LIMIT {count}
            FOR UPDATE SKIP LOCKED
            """).ToListAsync(cancellationToken),
        SqlServerControllerDbContext => db.Tasks.FromSql($"""
            SELECT TOP ({count}) * FROM [Tasks] WITH (UPDLOCK, ROWLOCK, READPAST)
            WHERE [EngineId] = {engineId} AND [State] = N'Queued'
            ORDER BY [Priority] DESC, [CreatedAt], [Id]
            """).ToListAsync(cancellationToken),

        // SQLite has one writer: the transaction runs under the process's write gate, and the version check refuses
        // a claim that another process made meanwhile.
        _ => Queued(db, engineId, count).ToListAsync(cancellationToken).AsTask(),
    };

    public Task<List<WorkTask>> ListHeldByAsync(Guid instanceId, DateTimeOffset now, CancellationToken cancellationToken) =>
        HeldBy(db, instanceId, now).ToListAsync(cancellationToken).AsTask();

    public async Task<List<(EngineInstance Instance, List<WorkTask> Held)>> ListInstancesWithHeldAsync(
        IReadOnlyCollection<Guid> instanceIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rows = await db.EngineInstances.Where(i => instanceIds.Contains(i.Id))
            .Select(i => new
            {
                Instance = i,
                Held = db.Tasks.Where(t => t.InstanceId == i.Id
                    && (t.State == WorkTaskState.Leased || (t.State == WorkTaskState.Cancelled && t.LeaseExpiresAt > now))).ToList(),
            })
            .ToListAsync(cancellationToken);
        return rows.ConvertAll(r => (r.Instance, r.Held));
    }

    public Task<List<WorkTask>> ListAsync(Guid? engineId, WorkTaskState? state, Guid? before, int limit, CancellationToken cancellationToken)
    {
        var query = db.Tasks.AsNoTracking();
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

    public Task<List<WorkTask>> ListExpiredLeasesAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        db.Tasks.Where(t => t.State == WorkTaskState.Leased && t.LeaseExpiresAt <= now)
            .OrderBy(t => t.LeaseExpiresAt)
            .Take(limit)
            .ToListAsync(cancellationToken);

    public Task<List<WorkTask>> ListHeldByEndedInstancesAsync(int limit, CancellationToken cancellationToken) =>
        db.Tasks.Where(t => t.State == WorkTaskState.Leased
                && db.EngineInstances.Any(i => i.Id == t.InstanceId && Ended.Contains(i.State)))
            .OrderBy(t => t.Id)
            .Take(limit)
            .ToListAsync(cancellationToken);

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

    public async Task<int> DeleteFinishedBeforeAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken)
    {
        using var _ = await gate.EnterAsync(cancellationToken);
        return await db.Tasks.Where(t => t.FinishedAt < cutoff && Finished.Contains(t.State))
            .OrderBy(t => t.FinishedAt)
            .Take(limit)
            .ExecuteDeleteAsync(cancellationToken);
    }

    public async Task<Dictionary<Guid, TaskBacklog>> BacklogAsync(IReadOnlyCollection<Guid> engineIds, CancellationToken cancellationToken)
    {
        var counts = await db.Tasks.AsNoTracking()
            .Where(t => engineIds.Contains(t.EngineId) && (t.State == WorkTaskState.Queued || t.State == WorkTaskState.Leased))
            .GroupBy(t => new { t.EngineId, t.State })
            .Select(g => new { g.Key.EngineId, g.Key.State, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var backlog = new Dictionary<Guid, TaskBacklog>();
        foreach (var engine in counts.GroupBy(c => c.EngineId))
        {
            var queued = engine.Where(c => c.State == WorkTaskState.Queued).Sum(c => c.Count);
            var oldest = queued == 0
                ? (DateTimeOffset?)null
                : await db.Tasks.AsNoTracking()
                    .Where(t => t.EngineId == engine.Key && t.State == WorkTaskState.Queued)
                    .OrderBy(t => t.CreatedAt)
                    .Select(t => (DateTimeOffset?)t.CreatedAt)
                    .FirstOrDefaultAsync(cancellationToken);
            backlog[engine.Key] = new TaskBacklog(queued, engine.Where(c => c.State == WorkTaskState.Leased).Sum(c => c.Count), oldest);
        }

        return backlog;
    }
}
