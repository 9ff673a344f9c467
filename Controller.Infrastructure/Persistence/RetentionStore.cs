using Controller.Application.Common.Interfaces;
using Controller.Domain.Audit;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Controller.Domain.Hosts;
using Controller.Domain.Work;
using Microsoft.EntityFrameworkCore;

namespace Controller.Infrastructure.Persistence;

/// <summary>
/// Retention as set-based statements: a single-table batch is one <c>DELETE … WHERE key IN (SELECT … LIMIT n)</c>
/// along an index; a batch that spans tables (an instance and its tokens, a host with its report and tokens) picks its
/// keys first and deletes them in one transaction, re-checking the condition so that a row that came back to life in
/// between stays.
/// </summary>
internal sealed class RetentionStore(ControllerDbContext db, IDatabaseWriteGate gate) : IRetentionStore
{
    private static readonly EngineInstanceState[] Ended = [EngineInstanceState.Stopped, EngineInstanceState.Failed, EngineInstanceState.Lost];
    private static readonly WorkTaskState[] Finished = [WorkTaskState.Succeeded, WorkTaskState.Failed, WorkTaskState.Cancelled];
    private static readonly HostState[] Gone = [HostState.Terminated, HostState.Lost];

    public async Task<int> DeleteFinishedTasksAsync(DateTimeOffset before, int batch, CancellationToken cancellationToken)
    {
        using var _ = await gate.EnterAsync(cancellationToken);
        return await db.Tasks.Where(t => t.FinishedAt < before && Finished.Contains(t.State))
            .OrderBy(t => t.FinishedAt).Take(batch).ExecuteDeleteAsync(cancellationToken);
    }

    public async Task<int> DeleteEventsAsync(DateTimeOffset before, int keep, int batch, CancellationToken cancellationToken)
    {
        // The newest sequence that falls out of the count limit (none when fewer are stored).
        var outOfCount = await db.Events.OrderByDescending(e => e.Sequence).Skip(keep).Select(e => (long?)e.Sequence).FirstOrDefaultAsync(cancellationToken) ?? 0;
        using var _ = await gate.EnterAsync(cancellationToken);
        return await db.Events.Where(e => e.At < before || e.Sequence <= outOfCount)
            .OrderBy(e => e.Sequence).Take(batch).ExecuteDeleteAsync(cancellationToken);
    }

    public async Task<int> DeleteEndedInstancesAsync(DateTimeOffset before, int batch, CancellationToken cancellationToken)
    {
        var ids = await EndedInstances(before).OrderBy(i => i.StateChangedAt).Select(i => i.Id).Take(batch).ToListAsync(cancellationToken);
        if (ids.Count == 0)
        {
            return 0;
        }

        return await InTransactionAsync(async () =>
        {
            await db.Tokens.Where(t => t.EngineInstanceId != null && ids.Contains(t.EngineInstanceId.Value)).ExecuteDeleteAsync(cancellationToken);
            return await EndedInstances(before).Where(i => ids.Contains(i.Id)).ExecuteDeleteAsync(cancellationToken);
        }, cancellationToken);
    }

    public async Task<int> DeleteGoneHostsAsync(DateTimeOffset before, int batch, CancellationToken cancellationToken)
    {
        var ids = await GoneHosts(before).OrderBy(h => h.StateChangedAt).Select(h => h.Id).Take(batch).ToListAsync(cancellationToken);
        if (ids.Count == 0)
        {
            return 0;
        }

        return await InTransactionAsync(async () =>
        {
            var hosts = GoneHosts(before).Where(h => ids.Contains(h.Id));
            await db.HostStatus.Where(s => hosts.Any(h => h.Id == s.HostId)).ExecuteDeleteAsync(cancellationToken);
            await db.Tokens.Where(t => t.HostId != null && hosts.Any(h => h.Id == t.HostId)).ExecuteDeleteAsync(cancellationToken);
            return await hosts.ExecuteDeleteAsync(cancellationToken);
        }, cancellationToken);
    }

    public async Task<int> DeleteDeadTokensAsync(DateTimeOffset before, int batch, CancellationToken cancellationToken)
    {
        using var _ = await gate.EnterAsync(cancellationToken);
        return await db.Tokens.Where(t => t.RevokedAt < before || t.ExpiresAt < before)
            .OrderBy(t => t.CreatedAt).Take(batch).ExecuteDeleteAsync(cancellationToken);
    }

    public async Task<int> DeleteAuditAsync(DateTimeOffset before, int batch, CancellationToken cancellationToken)
    {
        using var _ = await gate.EnterAsync(cancellationToken);
        return await db.Set<AuditEntry>().Where(e => e.At < before).OrderBy(e => e.At).Take(batch).ExecuteDeleteAsync(cancellationToken);
    }

    public async Task<int> DeleteDeletedEnginesAsync(DateTimeOffset before, int batch, CancellationToken cancellationToken)
    {
        using var _ = await gate.EnterAsync(cancellationToken);
        return await db.Engines.Where(e => e.State == EngineState.Deleted && e.UpdatedAt < before
                && !db.EngineInstances.Any(i => i.EngineId == e.Id) && !db.Tasks.Any(t => t.EngineId == e.Id))
            .OrderBy(e => e.UpdatedAt).Take(batch).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>Ended before the cutoff and holding no task (a leased task is released first, by the task sweep).</summary>
    private IQueryable<EngineInstance> EndedInstances(DateTimeOffset before) =>
        db.EngineInstances.Where(i => Ended.Contains(i.State) && i.StateChangedAt < before
            && !db.Tasks.Any(t => t.InstanceId == i.Id && t.State == WorkTaskState.Leased));

    /// <summary>Ended before the cutoff, with no instance row left that names the host.</summary>
    private IQueryable<Host> GoneHosts(DateTimeOffset before) =>
        db.Hosts.Where(h => Gone.Contains(h.State) && h.StateChangedAt < before && !db.EngineInstances.Any(i => i.HostId == h.Id));

    private async Task<int> InTransactionAsync(Func<Task<int>> delete, CancellationToken cancellationToken)
    {
        using var _ = await gate.EnterAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var deleted = await delete();
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }
}
