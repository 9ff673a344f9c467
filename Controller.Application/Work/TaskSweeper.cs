using Controller.Application.Common;
using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Domain.Engines;

namespace Controller.Application.Work;

/// <summary>
/// The task queue's part of the sweep (run by the replica holding the sweep lease): expired leases go back to the
/// queue or to the dead letter, tasks held by instances that ended are released at once, queued tasks of deleted engines
/// are cancelled, and queue-scaled engines get the desired count their backlog calls for. Each kind goes in batches of
/// <see cref="Batch"/> until none is left or the step has used <see cref="Budget"/>, so that a mass failure's thousands
/// of leases go back to the queue within a sweep or two; the tasks put back wake their engines' held getwork calls on
/// every replica. (Finished tasks are deleted by the retention step.)
/// </summary>
public sealed class TaskSweeper(
    ITaskRepository tasks,
    IEngineRepository engines,
    IUnitOfWork unitOfWork,
    IPlacementGate placementGate,
    IWorkSignal signal,
    TimeProvider clock)
{
    /// <summary>Tasks changed per statement (or per save, for those the domain changes one by one).</summary>
    public const int Batch = 5000;

    /// <summary>How long one kind may keep taking batches in one sweep.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    public async Task<TaskSweepResult> SweepAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var expired = await InBatchesAsync(() => WakingAsync(tasks.ExpireLeasesAsync(now, Batch, cancellationToken)));
        var released = await InBatchesAsync(() => WakingAsync(tasks.ReleaseHeldByEndedInstancesAsync(now, Batch, cancellationToken)));
        var orphaned = await InBatchesAsync(async () =>
        {
            var batch = (await tasks.ListQueuedOfDeletedEnginesAsync(Batch, cancellationToken)).Select(t => t.Cancel(now)).ToList();
            return new EndedAttempts(batch.Count, await SaveCountingAsync(batch.Count(c => c), cancellationToken), EndedAttempts.None.Requeued);
        });
        var rescaled = await ScaleByBacklogAsync(now, cancellationToken);
        return new TaskSweepResult(expired, released, rescaled) { CancelledForDeletedEngines = orphaned };
    }

    /// <summary>
    /// Changes a batch of tasks, again while batches come back full and the budget lasts. Stops at a batch in which
    /// nothing changed (a lost race, or nothing to gain from reading it again): the next sweep goes on.
    /// </summary>
    private static async Task<int> InBatchesAsync(Func<Task<EndedAttempts>> changeBatch)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var total = 0;
        while (true)
        {
            var batch = await changeBatch();
            total += batch.Changed;
            if (batch.Changed == 0 || batch.Found < Batch || System.Diagnostics.Stopwatch.GetElapsedTime(started) >= Budget)
            {
                return total;
            }
        }
    }

    /// <summary>The tasks a batch put back in the queue wake as many held calls of their engines (they were not tracked).</summary>
    private async Task<EndedAttempts> WakingAsync(Task<EndedAttempts> batch)
    {
        var ended = await batch;
        if (ended.Requeued.Count > 0)
        {
            await signal.SendAsync(WorkWakeups.Tasks(ended.Requeued), CancellationToken.None);
        }

        return ended;
    }

    /// <summary>
    /// Under the placement gate, as every other change of engine counts on this replica (so that it does not race the
    /// status rounds here), and read again after a lost race with another replica's: the new counts and the start of
    /// a scale-down cooldown are saved, not dropped until the next sweep.
    /// </summary>
    private async Task<int> ScaleByBacklogAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var _ = await placementGate.EnterAsync(cancellationToken);
        return await ConflictRetry.RunAsync(unitOfWork, async () =>
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
            await unitOfWork.SaveChangesAsync(cancellationToken);
            unitOfWork.Reset();
            return changed;
        });
    }

    /// <summary>Saves; a race with an instance or a status round is left to the next sweep (nothing is lost meanwhile).</summary>
    private async Task<int> SaveCountingAsync(int changed, CancellationToken cancellationToken)
    {
        if (changed == 0)
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
            return 0;
        }
        finally
        {
            unitOfWork.Reset();
        }
    }
}

public sealed record TaskSweepResult(int LeasesExpired, int LeasesReleased, int EnginesRescaled)
{
    public int CancelledForDeletedEngines { get; init; }

    public bool Any => LeasesExpired + LeasesReleased + EnginesRescaled + CancelledForDeletedEngines > 0;
}
