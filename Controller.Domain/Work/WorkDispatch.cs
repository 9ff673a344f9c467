using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Controller.Domain.Hosts;

namespace Controller.Domain.Work;

/// <summary>What getwork answers: work to process, wait and ask again, or terminate (nothing more will come).</summary>
public enum WorkAction
{
    Process,
    Wait,
    Terminate,
}

/// <summary>
/// Whether an instance may take new work, and whether it should end once it holds none: the seed product's
/// "draining" (engines on a draining host are given no new work) and queue scale-down (idle copies go first).
/// </summary>
/// <param name="MayTakeWork">True when new tasks may be leased to it.</param>
/// <param name="StopReason">When it may not, the reason it is stopped once it holds no work (null: it is not up any more).</param>
public sealed record WorkVerdict(bool MayTakeWork, string? StopReason)
{
    public const string ReasonHostDraining = "host_draining";

    public static readonly WorkVerdict Take = new(true, null);

    /// <summary>The answer for an instance that now holds <paramref name="held"/> tasks and was given <paramref name="leased"/> new ones.</summary>
    public WorkAction ActionFor(int held, int leased) =>
        leased > 0 ? WorkAction.Process
        : !MayTakeWork && held == 0 ? WorkAction.Terminate
        : WorkAction.Wait;
}

public static class WorkDispatch
{
    /// <param name="instance">The instance asking.</param>
    /// <param name="hostState">Its host's state (null when the host is gone).</param>
    /// <param name="engine">Its engine (null when it left the catalogue).</param>
    /// <param name="held">Tasks it still holds after the outcomes it reported.</param>
    public static WorkVerdict Decide(EngineInstance instance, HostState? hostState, Engine? engine, int held)
    {
        if (!instance.IsUp)
        {
            return new WorkVerdict(false, null);
        }

        if (engine is null || engine.State != EngineState.Active)
        {
            return new WorkVerdict(false, Scheduling.Scheduler.ReasonEngineDeleted);
        }

        // A displaced copy on an active host (its engine's labels no longer match it) works on until its replacement runs.
        if (hostState != HostState.Active)
        {
            return new WorkVerdict(false, hostState == HostState.Terminating ? Scheduling.Scheduler.ReasonHostTerminating : WorkVerdict.ReasonHostDraining);
        }

        // A queue-scaled engine with more copies than its backlog calls for lets its idle copies go.
        if (engine.ScalingMode == ScalingMode.Queue && engine.Surplus > 0 && held == 0)
        {
            return new WorkVerdict(false, Scheduling.Scheduler.ReasonScaledDown);
        }

        return WorkVerdict.Take;
    }
}
