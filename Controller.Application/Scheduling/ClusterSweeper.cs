using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Controller.Application.Common.Security;
using Controller.Application.Hosts;
using Controller.Domain.Common;
using Controller.Domain.Engines;
using Controller.Domain.Hosts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Controller.Application.Scheduling;

/// <summary>When this controller process started: every host gets a fresh grace from then on.</summary>
public sealed class ControllerLifetime(TimeProvider clock)
{
    public DateTimeOffset StartedAt { get; } = clock.GetUtcNow();
}

/// <summary>
/// The time-driven rules that no status report triggers: hosts that fell silent become lost (their
/// instances are replaced elsewhere), and deleted engines whose last copy is gone leave the catalogue.
/// Runs on one replica at a time (the caller holds the sweep lease).
/// </summary>
public sealed class ClusterSweeper(
    IHostRepository hosts,
    IHostDirectory directory,
    IEngineRepository engines,
    IEngineInstanceRepository instances,
    ITokenRepository tokens,
    ITokenService tokenService,
    IUnitOfWork unitOfWork,
    PlacementGate placementGate,
    ClusterView clusterView,
    StatusIntervalAdvisor intervals,
    ControllerLifetime lifetime,
    IOptions<SchedulingOptions> options,
    TimeProvider clock,
    ILogger<ClusterSweeper> logger)
{
    public async Task<SweepResult> SweepAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var live = await directory.CountLiveAsync(cancellationToken);
        intervals.UpdateLiveHosts(live);
        var lost = await MarkSilentHostsLostAsync(now, live, cancellationToken);
        var deleted = await CompleteEngineDeletionsAsync(now, cancellationToken);
        if (lost > 0 || deleted > 0)
        {
            clusterView.Invalidate();
        }

        return new SweepResult(lost, deleted);
    }

    private async Task<int> MarkSilentHostsLostAsync(DateTimeOffset now, int live, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var grace = TimeSpan.FromSeconds(o.HostLostAfterSeconds);

        // Right after a start, silence may be the controller's own: nobody is lost before every host had a full grace.
        if (now < lifetime.StartedAt + grace + TimeSpan.FromSeconds(o.StartupGraceSeconds))
        {
            return 0;
        }

        var silent = await directory.ListSilentSinceAsync(now - grace, int.MaxValue, cancellationToken);
        if (silent.Count == 0)
        {
            return 0;
        }

        if (silent.Count > 1 && silent.Count > o.MassLossFraction * live)
        {
            logger.LogWarning("{Silent} of {Live} live hosts are silent at once; not declaring them lost (more likely a network or controller fault).", silent.Count, live);
            return 0;
        }

        var marked = 0;
        foreach (var hostId in silent.Take(o.MaxHostsLostPerSweep))
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
        var holding = await instances.ListHoldingForHostAsync(host.Id, cancellationToken);
        var catalogue = (await engines.ListLiveForUpdateAsync(cancellationToken)).ToDictionary(e => e.Id);
        foreach (var instance in holding)
        {
            if (instance.MarkLost(now) && catalogue.TryGetValue(instance.EngineId, out var engine))
            {
                engine.ReleaseInstance();
            }
        }

        tokenService.RevokeAll(await tokens.ListUnrevokedForInstancesAsync([.. holding.Select(i => i.Id)], cancellationToken), now);

        host.SetAllocated(Resources.Zero);
        await unitOfWork.SaveChangesAsync(cancellationToken);
        unitOfWork.Reset();
        logger.LogWarning("Host {HostId} ({Hostname}) is lost: silent since {LastSeenAt}; {Count} instances will be replaced.", host.Id, host.Hostname, host.LastSeenAt, holding.Count);
        return true;
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

public sealed record SweepResult(int HostsLost, int EnginesDeleted);
