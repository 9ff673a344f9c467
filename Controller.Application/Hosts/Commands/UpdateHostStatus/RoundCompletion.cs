using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Telemetry;
using Controller.Application.Hosts.FastPath;
using Controller.Application.Hosts.Models;
using Controller.Domain.EngineInstances;
using Controller.Domain.Hosts;

namespace Controller.Application.Hosts.Commands.UpdateHostStatus;

/// <summary>The end of a batch of status rounds: its one save, then what the metrics and the fast path learn from each round.</summary>
public sealed class RoundCompletion(IUnitOfWork unitOfWork, SteadyStateCache steady, ControllerMetrics metrics, TimeProvider clock)
{
    /// <summary>
    /// One save for the batch's rounds (none when every host was already terminated). When they changed nothing but
    /// when their hosts were heard from (steady hosts whose remembered answer had aged), the unit of work writes nothing.
    /// </summary>
    public async Task SaveAsync(IReadOnlyList<PreparedRound> rounds, CancellationToken cancellationToken)
    {
        if (rounds.Any(r => r.Host is not null))
        {
            await unitOfWork.SaveChangesAsync(cancellationToken);
        }
    }

    /// <summary>Taken before the batch reads its rows: what the fast path has forgotten since then is not remembered again.</summary>
    public long ReadStamp() => steady.Stamp();

    /// <summary>
    /// After the save: launches and stops are counted, and a steady host is remembered for the fast path, unless a change
    /// to it was seen after its rows were read (<paramref name="readAt"/>).
    /// </summary>
    public HostStatusAnswer Complete(PreparedRound round, long readAt)
    {
        if (round.Host is not { } host)
        {
            return round.Answer;
        }

        if (round.Saved is { } saved && round.Decision is { } decision)
        {
            var names = saved.ToDictionary(e => e.Id, e => e.Name);
            foreach (var launch in decision.Launches)
            {
                metrics.Launched(names.GetValueOrDefault(launch.EngineId, "unknown"));
            }

            foreach (var stop in decision.Stops)
            {
                metrics.Stopped(names.GetValueOrDefault(stop.EngineId, "unknown"), stop.Reason);
            }
        }

        var answer = round.Answer;
        if (host.State == HostState.Active && answer.Launch.Count == 0 && answer.Terminate.Count == 0
            && round.Holding.All(i => i.State == EngineInstanceState.Running && i.IsActive))
        {
            steady.Remember(host.Id, new SteadyState(round.Fingerprint, answer, clock.GetUtcNow(), round.Holding.Select(i => i.EngineId).ToHashSet(),
                host.Capacity - host.Allocated, host.Labels) { RevisionsHere = round.Holding.Select(i => (i.EngineId, i.Revision)).ToHashSet() }, readAt);
        }

        return answer;
    }
}
