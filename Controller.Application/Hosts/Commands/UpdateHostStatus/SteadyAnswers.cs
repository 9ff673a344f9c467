using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Controller.Application.Hosts.FastPath;
using Controller.Application.Hosts.Models;
using Microsoft.Extensions.Options;

namespace Controller.Application.Hosts.Commands.UpdateHostStatus;

/// <summary>A status report looked up in memory: its steady answer, or why it has none.</summary>
public sealed record SteadyLookup(HostStatusAnswer? Answer, SteadyMiss Miss, string Fingerprint, bool Deferred);

/// <summary>
/// The fast path of a status report: a steady host (the same containers, nothing to launch or stop, no engine it could
/// take a copy of) is answered from <see cref="SteadyStateCache"/> without touching the database; when placement is
/// busy, an engine it could take a copy of does not call for a round (the copy goes to a later report).
/// </summary>
public sealed class SteadyAnswers(
    SteadyStateCache steady,
    IClusterViewSource clusterView,
    LastSeenBuffer lastSeen,
    IStatusIntervalAdvisor intervals,
    IOptions<SchedulingOptions> options,
    TimeProvider clock)
{
    public async ValueTask<SteadyLookup> LookUpAsync(UpdateHostStatusCommand command, bool placementBusy, CancellationToken cancellationToken)
    {
        var fingerprint = SteadyStateCache.Fingerprint(command.Containers);
        if (options.Value.FastPathMaxAgeSeconds <= 0)
        {
            return new SteadyLookup(null, SteadyMiss.Aged, fingerprint, false);
        }

        var now = clock.GetUtcNow();
        var snapshot = await clusterView.GetAsync(cancellationToken);
        var maxAge = TimeSpan.FromSeconds(options.Value.FastPathMaxAgeSeconds);
        var same = steady.Answer(command.HostId, fingerprint, snapshot.Engines, now, maxAge, deferPlacement: false, out var miss);
        var deferred = false;
        if (same is null && placementBusy)
        {
            same = steady.Answer(command.HostId, fingerprint, snapshot.Engines, now, maxAge, deferPlacement: true, out miss);
            deferred = same is not null;
        }

        if (same is null)
        {
            // A round decides now; what is remembered from the last one is no longer true once it has run.
            steady.Forget(command.HostId);
            return new SteadyLookup(null, miss, fingerprint, false);
        }

        lastSeen.Record(command.HostId, now);
        return new SteadyLookup(same with { StatusIntervalSeconds = intervals.NextInterval() }, SteadyMiss.None, fingerprint, deferred);
    }
}
