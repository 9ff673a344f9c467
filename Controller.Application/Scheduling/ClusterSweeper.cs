using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Controller.Application.Common.Security;
using Controller.Application.Hosts;
using Controller.Domain.Common;
using Controller.Domain.Engines;
using Controller.Domain.Events;
using Controller.Domain.Hosts;
using Controller.Domain.Scheduling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Controller.Application.Scheduling;

/// <summary>When this controller process started: every host gets a fresh grace from then on.</summary>
public sealed class ControllerLifetime(TimeProvider clock)
{
    public DateTimeOffset StartedAt { get; } = clock.GetUtcNow();
}

/// <summary>Whether this replica's sweeps hold lost-host detection because most hosts fell silent at once.</summary>
public sealed class MassSilenceHold
{
    public bool Holding { get; set; }
}

/// <summary>
/// The time-driven rules that no status report triggers: hosts that fell silent become lost (their instances are
/// replaced elsewhere), terminated hosts whose agent went silent are finished, and deleted engines whose last copy
/// is gone leave the catalogue. Runs on one replica at a time (the caller holds the sweep lease).
/// </summary>
public sealed class ClusterSweeper(
    IHostRepository hosts,
    IHostDirectory directory,
    IEngineRepository engines,
    IEngineInstanceRepository instances,
    ITokenRepository tokens,
    ITokenService tokenService,
    IUnitOfWork unitOfWork,
    IPlacementGate placementGate,
    StatusIntervalAdvisor intervals,
    ControllerLifetime lifetime,
    IEventLog events,
    MassSilenceHold hold,
    IOptions<SchedulingOptions> options,
    TimeProvider clock,
    ILogger<ClusterSweeper> logger)
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
        var lost = await MarkSilentHostsLostAsync(now, live, cancellationToken);
        var terminated = await FinishSilentTerminationsAsync(now, cancellationToken);
        var deleted = await CompleteEngineDeletionsAsync(now, cancellationToken);
        return new SweepResult(lost, deleted) { HostsTerminated = terminated };
    }

    private async Task<int> MarkSilentHostsLostAsync(DateTimeOffset now, int live, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var grace = intervals.HostLostAfter;

        // Right after a start, silence may be the controller's own: nobody is lost before every host had a full grace.
        if (now < lifetime.StartedAt + grace + TimeSpan.FromSeconds(o.StartupGraceSeconds))
        {
            return 0;
        }

        var silent = await directory.ListSilentSinceAsync(now - grace, int.MaxValue, cancellationToken);
        var mass = silent.Count > 1 && silent.Count > o.MassLossFraction * live;
        await RecordHoldAsync(mass, silent.Count, live, now, cancellationToken);
        if (silent.Count == 0)
        {
            return 0;
        }

        var batch = silent.Take(o.MaxHostsLostPerSweep).ToList();
        if (mass)
        {
            // Most hosts fell silent at once: more likely a network or controller fault, so hold. But not for ever:
            // past the longest hold, the longest-silent hosts are declared lost at a limited rate.
            var held = now - grace - TimeSpan.FromSeconds(o.MassSilenceMaxHoldSeconds);
            batch = [.. await directory.ListSilentSinceAsync(held, o.MassSilenceLostPerSweep, cancellationToken)];
            logger.LogWarning("{Silent} of {Live} live hosts are silent at once; holding lost-host detection ({Released} silent longer than the longest hold of {Hold} s released).",
                silent.Count, live, batch.Count, o.MassSilenceMaxHoldSeconds);
        }

        var marked = 0;
        foreach (var hostId in batch)
        {
            try
            {
                if (await MarkLostAsync(hostId, now - grace, now, cancellationToken))
                {
                    marked++;
                }
            }
            catch (ConcurrencyConflictException)
            {
                // The host reported (or something else changed it) meanwhile: judge it again next sweep.
                unitOfWork.Reset();
            }
        }

        return marked;
    }

    /// <summary>The feed says when the hold starts and when it ends (once each, not every sweep).</summary>
    private async Task RecordHoldAsync(bool mass, int silent, int live, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (mass == hold.Holding)
        {
            return;
        }

        events.Add(mass
            ? ClusterEvent.Create(ClusterEventTypes.SweepHeldBack, now,
                $"{silent} of {live} live hosts fell silent at once: lost-host detection is held (more likely a network or controller fault); past {options.Value.MassSilenceMaxHoldSeconds} s silent hosts are declared lost at a limited rate.",
                reason: "mass_silence")
            : ClusterEvent.Create(ClusterEventTypes.SweepResumed, now, $"{silent} of {live} live hosts are silent: lost-host detection runs normally again."));
        await unitOfWork.SaveChangesAsync(cancellationToken);
        unitOfWork.Reset();
        hold.Holding = mass;
    }

    private async Task<bool> MarkLostAsync(Guid hostId, DateTimeOffset seenBefore, DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var _ = await placementGate.EnterAsync(cancellationToken);
        var host = await hosts.FindAsync(hostId, cancellationToken);
        if (host is null || host.LastSeenAt >= seenBefore || host.State is not (HostState.Active or HostState.Draining or HostState.Drained))
        {
            unitOfWork.Reset();
            return false;
        }

        host.MarkLost(now);
        var holding = await EndInstancesAsync(host, now, cancellationToken);
        await unitOfWork.SaveChangesAsync(cancellationToken);
        unitOfWork.Reset();
        logger.LogWarning("Host {HostId} ({Hostname}) is lost: silent since {LastSeenAt:O}; {Count} instances will be replaced.", host.Id, host.Hostname, host.LastSeenAt, holding);
        return true;
    }

    /// <summary>A host marked for termination whose agent is silent (or that was lost) will never finish it: finish it here.</summary>
    private async Task<int> FinishSilentTerminationsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var seenBefore = now - intervals.HostLostAfter;
        var finished = 0;
        foreach (var hostId in await directory.ListSilentTerminatingAsync(seenBefore, o.MaxHostsLostPerSweep, cancellationToken))
        {
            try
            {
                using var _ = await placementGate.EnterAsync(cancellationToken);
                var host = await hosts.FindAsync(hostId, cancellationToken);
                if (host is null || host.State != HostState.Terminating || host.LastSeenAt >= seenBefore)
                {
                    unitOfWork.Reset();
                    continue;
                }

                var holding = await EndInstancesAsync(host, now, cancellationToken);
                await HostTermination.CompleteAsync(host, tokens, tokenService, now, TimeSpan.FromSeconds(o.TerminatedHostGraceSeconds), cancellationToken);
                await unitOfWork.SaveChangesAsync(cancellationToken);
                unitOfWork.Reset();
                finished++;
                logger.LogWarning("Host {HostId} ({Hostname}) is terminated without its agent: silent since {LastSeenAt:O}; {Count} instances will be replaced.",
                    host.Id, host.Hostname, host.LastSeenAt, holding);
            }
            catch (ConcurrencyConflictException)
            {
                // The agent reported meanwhile: it finishes the termination itself, or the next sweep does.
                unitOfWork.Reset();
            }
        }

        return finished;
    }

    /// <summary>The host is gone with everything on it: its instances are lost, their counts released (no back-off) and their tokens revoked.</summary>
    private async Task<int> EndInstancesAsync(Domain.Hosts.Host host, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var holding = await instances.ListHoldingForHostAsync(host.Id, cancellationToken);
        var catalogue = (await engines.ListLiveForUpdateAsync(cancellationToken)).ToDictionary(e => e.Id);
        EngineCounts.Release([.. holding.Where(i => i.MarkLost(now))], catalogue, now, backoff: null);
        tokenService.RevokeAll(await tokens.ListUnrevokedForInstancesAsync([.. holding.Select(i => i.Id)], cancellationToken), now);
        host.SetAllocated(Resources.Zero);
        return holding.Count;
    }

    private async Task<int> CompleteEngineDeletionsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var completed = 0;
        using var _ = await placementGate.EnterAsync(cancellationToken);
        foreach (var engine in (await engines.ListLiveForUpdateAsync(cancellationToken)).Where(e => e.State == EngineState.Deleting && e.ActiveInstances == 0))
        {
            if (!await instances.AnyHoldingForEngineAsync(engine.Id, cancellationToken))
            {
                engine.CompleteDeletion(now);
                completed++;
            }
        }

        try
        {
            await unitOfWork.SaveChangesAsync(cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            completed = 0;
        }

        unitOfWork.Reset();
        return completed;
    }
}

public sealed record SweepResult(int HostsLost, int EnginesDeleted)
{
    public int HostsTerminated { get; init; }
}
