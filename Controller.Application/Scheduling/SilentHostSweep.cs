using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Controller.Application.Hosts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Controller.Application.Scheduling;

/// <summary>
/// Hosts silent past their grace: active, draining or drained ones become lost, terminating ones are terminated without
/// their agent (<see cref="HostRetirement"/>), at most <see cref="SchedulingOptions.MaxHostsLostPerSweep"/> a sweep, and
/// not while <see cref="LostHostGuard"/> holds.
/// </summary>
public sealed partial class SilentHostSweep(
    IHostDirectory directory,
    HostRetirement retirement,
    LostHostGuard guard,
    StatusIntervalAdvisor intervals,
    IOptions<SchedulingOptions> options,
    ILogger<SilentHostSweep> logger)
{
    public async Task<int> MarkLostAsync(DateTimeOffset now, int live, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var grace = intervals.HostLostAfter;
        if (guard.TooSoonAfterStart(now, grace))
        {
            return 0;
        }

        var silent = await directory.ListSilentSinceAsync(now - grace, int.MaxValue, cancellationToken);
        var mass = await guard.IsMassSilenceAsync(silent.Count, live, now, cancellationToken);
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
            LogHolding(logger, silent.Count, live, batch.Count, o.MassSilenceMaxHoldSeconds);
        }

        var marked = 0;
        foreach (var hostId in batch)
        {
            if (await retirement.MarkLostAsync(hostId, now - grace, now, cancellationToken) is { } host)
            {
                marked++;
                LogLost(logger, host.Id, host.Hostname, host.LastSeenAt, host.Copies);
            }
        }

        return marked;
    }

    /// <summary>A host marked for termination whose agent is silent (or that was lost) will never finish it: finish it here.</summary>
    public async Task<int> FinishTerminationsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var seenBefore = now - intervals.HostLostAfter;
        var grace = TimeSpan.FromSeconds(o.TerminatedHostGraceSeconds);
        var finished = 0;
        foreach (var hostId in await directory.ListSilentTerminatingAsync(seenBefore, o.MaxHostsLostPerSweep, cancellationToken))
        {
            if (await retirement.FinishTerminationAsync(hostId, seenBefore, now, grace, cancellationToken) is { } host)
            {
                finished++;
                LogTerminated(logger, host.Id, host.Hostname, host.LastSeenAt, host.Copies);
            }
        }

        return finished;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Silent} of {Live} live hosts are silent at once; holding lost-host detection ({Released} silent longer than the longest hold of {Hold} s released).")]
    private static partial void LogHolding(ILogger logger, int silent, int live, int released, int hold);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Host {HostId} ({Hostname}) is lost: silent since {LastSeenAt:O}; {Count} instances will be replaced.")]
    private static partial void LogLost(ILogger logger, Guid hostId, string hostname, DateTimeOffset lastSeenAt, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Host {HostId} ({Hostname}) is terminated without its agent: silent since {LastSeenAt:O}; {Count} instances will be replaced.")]
    private static partial void LogTerminated(ILogger logger, Guid hostId, string hostname, DateTimeOffset lastSeenAt, int count);
}
