using Controller.Domain.Common;
using Controller.Domain.EngineInstances;

namespace Controller.Domain.Scheduling;

/// <summary>
/// Decides, for the one host that reports, which engine copies to launch there and which of its copies
/// to stop. Pure: inputs in, decisions out. Its cost is proportional to the engines in the catalogue and
/// the instances on this host, never to the size of the cluster.
/// </summary>
public static class Scheduler
{
    public const string ReasonScaledDown = "scaled_down";
    public const string ReasonEngineDeleted = "engine_deleted";
    public const string ReasonHostTerminating = "host_terminating";
    public const string ReasonHostDraining = "host_draining";
    public const string ReasonDrainDeadline = "drain_deadline";

    public static PlacementDecision Decide(HostSnapshot host, IReadOnlyList<EngineDemand> engines, PlacementPolicy policy)
    {
        var demandById = new Dictionary<Guid, EngineDemand>(engines.Count);
        foreach (var engine in engines)
        {
            demandById[engine.EngineId] = engine;
        }

        var stops = DecideStops(host, demandById);
        var launches = host.Role == HostRole.Active ? DecideLaunches(host, engines, policy, stops) : [];
        return launches.Count == 0 && stops.Count == 0 ? PlacementDecision.None : new PlacementDecision(launches, stops);
    }

    private static List<StopDecision> DecideStops(HostSnapshot host, Dictionary<Guid, EngineDemand> demandById)
    {
        var stops = new List<StopDecision>();
        var active = host.Instances.Where(i => EngineInstance.IsActiveState(i.State)).ToList();
        if (active.Count == 0)
        {
            return stops;
        }

        if (host.Role is HostRole.Terminating or HostRole.DrainDeadlinePassed)
        {
            var reason = host.Role == HostRole.Terminating ? ReasonHostTerminating : ReasonDrainDeadline;
            stops.AddRange(active.Select(i => new StopDecision(i.InstanceId, i.EngineId, reason)));
            return stops;
        }

        foreach (var group in active.GroupBy(i => i.EngineId))
        {
            if (!demandById.TryGetValue(group.Key, out var demand))
            {
                // The engine left the catalogue entirely.
                stops.AddRange(group.Select(i => new StopDecision(i.InstanceId, i.EngineId, ReasonEngineDeleted)));
                continue;
            }

            // Stop the copies least far along first: pending, then starting, then running; newest first.
            var ordered = group.OrderBy(i => i.State).ThenByDescending(i => i.CreatedAt).ToList();
            var surplus = Math.Min(demand.Surplus, ordered.Count);
            var reason = demand.Deleting ? ReasonEngineDeleted : ReasonScaledDown;
            stops.AddRange(ordered.Take(surplus).Select(i => new StopDecision(i.InstanceId, i.EngineId, reason)));

            // A draining host gives up one copy per engine per report while other hosts have room for it:
            // its replacement is launched there, so the engine never runs more copies than desired.
            if (host.Role == HostRole.Draining && surplus < ordered.Count && demand.RoomElsewhere && !demand.Deleting)
            {
                var moved = ordered[surplus];
                stops.Add(new StopDecision(moved.InstanceId, moved.EngineId, ReasonHostDraining));
            }
        }

        return stops;
    }

    private static List<LaunchDecision> DecideLaunches(HostSnapshot host, IReadOnlyList<EngineDemand> engines, PlacementPolicy policy, List<StopDecision> stops)
    {
        var launches = new List<LaunchDecision>();
        var allocated = Resources.Zero;
        var unreported = Resources.Zero;
        var usedGpus = new HashSet<int>();
        var copiesHere = new Dictionary<Guid, int>();
        var stopped = stops.Count == 0 ? null : stops.Select(s => s.InstanceId).ToHashSet();
        foreach (var instance in host.Instances)
        {
            allocated += instance.Resources;
            if (instance.State == EngineInstanceState.Pending)
            {
                unreported += instance.Resources;
            }

            foreach (var gpu in instance.GpuIndexes)
            {
                usedGpus.Add(gpu);
            }

            if (EngineInstance.IsActiveState(instance.State) && (stopped is null || !stopped.Contains(instance.InstanceId)))
            {
                copiesHere[instance.EngineId] = copiesHere.GetValueOrDefault(instance.EngineId) + 1;
            }
        }

        // Free = what the controller has not handed out, and no more than the agent says is free
        // (less what was sent to it but is not in its report yet).
        var free = host.Capacity - allocated;
        if (host.ReportedAvailable is { } reported)
        {
            free = Resources.Min(free, reported - unreported);
        }

        var freeGpus = new Queue<int>(host.GpuIndexes.Where(g => !usedGpus.Contains(g)).Order());
        free = free with { GpuCount = Math.Min(free.GpuCount, freeGpus.Count) };

        foreach (var engine in engines.OrderByDescending(e => e.Priority).ThenBy(e => e.Name, StringComparer.Ordinal).ThenBy(e => e.EngineId))
        {
            if (engine.Deficit <= 0 || engine.InBackoff || engine.Deleting || !Engines.Engine.Matches(engine.HostLabels, host.Labels))
            {
                continue;
            }

            var wanted = engine.Deficit;
            if (policy == PlacementPolicy.Spread)
            {
                wanted = Math.Min(wanted, engine.SpreadCap - copiesHere.GetValueOrDefault(engine.EngineId));
            }

            while (wanted > 0 && free.Fits(engine.Resources))
            {
                var gpus = new int[engine.Resources.GpuCount];
                for (var g = 0; g < gpus.Length; g++)
                {
                    gpus[g] = freeGpus.Dequeue();
                }

                launches.Add(new LaunchDecision(engine.EngineId, gpus));
                free -= engine.Resources;
                wanted--;
            }
        }

        return launches;
    }
}
