using Controller.Application.Common.Interfaces;
using Controller.Application.Hosts;

namespace Controller.Application.Scheduling;

/// <summary>When this controller process started: every host gets a fresh grace from then on.</summary>
public sealed class ControllerLifetime(TimeProvider clock)
{
    public DateTimeOffset StartedAt { get; } = clock.GetUtcNow();
}

/// <summary>
/// The time-driven rules that no status report triggers: hosts that fell silent become lost (their instances are
/// replaced elsewhere), terminated hosts whose agent went silent are finished (<see cref="SilentHostSweep"/>), and
/// deleted engines whose last copy is gone leave the catalogue (<see cref="EngineDeletionSweep"/>), and rollouts complete,
/// progress, pause or revert (<see cref="RolloutSweep"/>). Runs on one replica
/// at a time (the caller holds the sweep lease).
/// </summary>
public sealed class ClusterSweeper(
    IHostDirectory directory,
    StatusIntervalAdvisor intervals,
    SilentHostSweep silentHosts,
    EngineDeletionSweep deletions,
    RolloutSweep rollouts,
    TimeProvider clock)
{
    /// <summary>Every replica, every tick: the live host count behind the status interval and lost-host detection.</summary>
    public async Task<int> RefreshLiveHostsAsync(CancellationToken cancellationToken)
    {
        var live = await directory.CountLiveAsync(cancellationToken);
        intervals.UpdateLiveHosts(live);
        return live;
    }

    public async Task<SweepResult> SweepAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var live = await RefreshLiveHostsAsync(cancellationToken);
        var lost = await silentHosts.MarkLostAsync(now, live, cancellationToken);
        var terminated = await silentHosts.FinishTerminationsAsync(now, cancellationToken);
        var deleted = await deletions.CompleteAsync(now, cancellationToken);
        var rolledOut = await rollouts.ObserveAsync(now, cancellationToken);
        return new SweepResult(lost, deleted) { HostsTerminated = terminated, RolloutsEnded = rolledOut };
    }
}

public sealed record SweepResult(int HostsLost, int EnginesDeleted)
{
    public int HostsTerminated { get; init; }

    /// <summary>Rollouts that completed or went back to their stable revision.</summary>
    public int RolloutsEnded { get; init; }
}
