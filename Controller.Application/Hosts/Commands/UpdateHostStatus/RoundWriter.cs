using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Controller.Application.Common.Security;
using Controller.Domain.Common;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Controller.Domain.Hosts;
using Controller.Domain.Scheduling;
using Microsoft.Extensions.Options;

namespace Controller.Application.Hosts.Commands.UpdateHostStatus;

/// <summary>What a status round changes on its tracked rows: the decided stops and launches (with their tokens), the tokens of copies that ended, and the host's own transition.</summary>
public sealed class RoundWriter(
    IEngineInstanceRepository instances,
    IEngineRepository engineRows,
    TokenIssuer tokens,
    IInstanceTokenIssuer instanceTokens,
    TokenRevoker revoker,
    IOptions<SchedulingOptions> options)
{
    /// <summary>Stops, displaces and launches as decided, and counts them on the engine rows read under the placement gate.</summary>
    public void Apply(PlacementDecision decision, Host host, List<EngineInstance> live, Dictionary<Guid, Engine> engines, DateTimeOffset now)
    {
        var byId = live.ToDictionary(i => i.Id);
        var left = new List<EngineInstance>();
        foreach (var stop in decision.Stops)
        {
            if (byId[stop.InstanceId].RequestStop(stop.Reason, now))
            {
                left.Add(byId[stop.InstanceId]);
            }
        }

        foreach (var displace in decision.Displacements)
        {
            if (byId[displace.InstanceId].Displace(displace.LabelsChanged))
            {
                left.Add(byId[displace.InstanceId]);
            }
        }

        EngineCounts.Release(left, engines, now, backoff: null);
        if (decision.Preemption is { } preemption && engines.TryGetValue(preemption.EngineId, out var preemptor))
        {
            var victims = preemption.Victims.Select(v => engines.GetValueOrDefault(v.EngineId)).OfType<Engine>().ToList();
            preemptor.RecordPreemption(host.Hostname, [.. victims.Select(v => (v.Name, v.Priority))],
                TimeSpan.FromSeconds(victims.Select(v => v.StopGraceSeconds).DefaultIfEmpty(0).Max()) + Preemption.StopAllowance, now);
        }

        // Make before break holds across rounds: two hosts must not each stop a displaced copy on counts that allowed one.
        foreach (var engineId in decision.Stops.Where(s => s.Reason == Scheduler.ReasonReplaced).Select(s => s.EngineId).Distinct())
        {
            if (engines.TryGetValue(engineId, out var engine))
            {
                engineRows.Touch(engine);
            }
        }

        foreach (var launch in decision.Launches)
        {
            var engine = engines[launch.EngineId];
            var tokenId = Guid.CreateVersion7(now);
            var instance = EngineInstance.Launch(Guid.CreateVersion7(now), engine, host.Id, launch.GpuIndexes, tokenId, now);
            tokens.IssueForInstance(tokenId, instance, engine.Name, instanceTokens.SecretFor(tokenId), now);
            instances.Add(instance);
            live.Add(instance);
        }
    }

    /// <summary>
    /// After the decision: the tokens of copies that ended stop working, the host's allocation is what its copies hold,
    /// and a draining or terminating host with nothing left completes its transition. Returns the copies that hold resources.
    /// </summary>
    public async Task<List<EngineInstance>> SettleAsync(Host host, List<EngineInstance> live, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await revoker.RevokeForInstancesAsync([.. live.Where(i => i.IsEnded).Select(i => i.Id)], now, cancellationToken);

        var holding = live.Where(i => i.HoldsResources).ToList();
        host.SetAllocated(holding.Select(i => i.Resources).Sum());
        if (holding.Count > 0)
        {
            return holding;
        }

        if (host.State == HostState.Draining)
        {
            host.CompleteDrain(now);
        }
        else if (host.State == HostState.Terminating)
        {
            await HostTermination.CompleteAsync(host, revoker, now, TimeSpan.FromSeconds(options.Value.TerminatedHostGraceSeconds), cancellationToken);
        }

        return holding;
    }
}
