using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Controller.Domain.Engines;
using Microsoft.Extensions.Options;

namespace Controller.Application.Work;

/// <summary>
/// The task queue's part of the sweep (run by the replica holding the sweep lease): expired leases go back to the
/// queue or to the dead letter, tasks held by instances that ended are released at once, queued tasks of deleted engines
/// are cancelled, finished tasks past their
/// retention are deleted, and queue-scaled engines get the desired count their backlog calls for.
/// </summary>
public sealed class TaskSweeper(
    ITaskRepository tasks,
    IEngineRepository engines,
    IUnitOfWork unitOfWork,
    IOptions<WorkOptions> options,
    TimeProvider clock)
{
    public async Task<TaskSweepResult> SweepAsync(CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxTasksPerSweep;
        var now = clock.GetUtcNow();
        var expired = await SaveCountingAsync(
            (await tasks.ListExpiredLeasesAsync(now, limit, cancellationToken)).Count(t => t.ExpireLease(now)), cancellationToken);
        var released = await SaveCountingAsync(
            (await tasks.ListHeldByEndedInstancesAsync(limit, cancellationToken)).Count(t => t.Abandon(now)), cancellationToken);
        var orphaned = await SaveCountingAsync(
            (await tasks.ListQueuedOfDeletedEnginesAsync(limit, cancellationToken)).Count(t => t.Cancel(now)), cancellationToken);
        var deleted = await tasks.DeleteFinishedBeforeAsync(now.AddHours(-options.Value.RetentionHours), limit, cancellationToken);
        var rescaled = await ScaleByBacklogAsync(now, cancellationToken);
        return new TaskSweepResult(expired, released, deleted, rescaled) { CancelledForDeletedEngines = orphaned };
    }

    private async Task<int> ScaleByBacklogAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var queueScaled = (await engines.ListLiveForUpdateAsync(cancellationToken))
            .Where(e => e.ScalingMode == ScalingMode.Queue && e.State == EngineState.Active)
            .ToList();
        if (queueScaled.Count == 0)
        {
            return 0;
        }

        // Counted as far as the largest backlog that still changes a count (beyond it every engine is at its maximum).
        var countLimit = (int)Math.Min(int.MaxValue - 1, queueScaled.Max(e => (long)e.TargetTasksPerInstance * e.MaxInstances));
        var backlog = await tasks.BacklogAsync([.. queueScaled.Select(e => e.Id)], countLimit, cancellationToken);
        var changed = queueScaled.Count(e => e.ApplyBacklog(backlog.GetValueOrDefault(e.Id, TaskBacklog.Empty).Total, now));

        // Saved even when no count changed: the start of a cooldown is kept too.
        await SaveCountingAsync(changed, cancellationToken, always: true);
        return changed;
    }

    /// <summary>Saves; a race with an instance or a status round is left to the next sweep (nothing is lost meanwhile).</summary>
    private async Task<int> SaveCountingAsync(int changed, CancellationToken cancellationToken, bool always = false)
    {
        if (changed == 0 && !always)
        {
            return 0;
        }

        try
        {
            await unitOfWork.SaveChangesAsync(cancellationToken);
            return changed;
        }
        catch (ConcurrencyConflictException)
        {
            unitOfWork.Reset();
            return 0;
        }
    }
}

public sealed record TaskSweepResult(int LeasesExpired, int LeasesReleased, int TasksDeleted, int EnginesRescaled)
{
    public int CancelledForDeletedEngines { get; init; }

    public bool Any => LeasesExpired + LeasesReleased + TasksDeleted + EnginesRescaled + CancelledForDeletedEngines > 0;
}
