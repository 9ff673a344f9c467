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
    public const string ReasonDrainDeadline = "drain_deadline";
    public const string ReasonReplaced = "replaced";
    public const string ReasonPreempted = "preempted";
    public const string ReasonRollingUpdate = "rolling_update";

    public static PlacementDecision Decide(HostSnapshot host, IReadOnlyList<EngineDemand> engines, PlacementPolicy policy) =>
        Decide(host, engines, new SchedulerSettings(policy));

    public static PlacementDecision Decide(HostSnapshot host, IReadOnlyList<EngineDemand> engines, SchedulerSettings settings)
    {
        var demandById = new Dictionary<Guid, EngineDemand>(engines.Count);
        foreach (var engine in engines)
        {
            demandById[engine.EngineId] = engine;
        }

        var displacements = new List<DisplaceDecision>();
        var stops = DecideStops(host, demandById, displacements);
        var launches = host.Role == HostRole.Active ? DecideLaunches(host, engines, demandById, settings, stops) : [];
        var preemption = host.Role == HostRole.Active ? DecidePreemption(host, engines, demandById, settings, stops, launches) : null;
        if (preemption is not null)
        {
            stops.AddRange(preemption.Victims);
        }

        return launches.Count == 0 && stops.Count == 0 && displacements.Count == 0
            ? PlacementDecision.None
            : new PlacementDecision(launches, stops) { Displacements = displacements, Preemption = preemption };
    }

    /// <summary>
    /// When an engine still lacks copies that no active host has room for, copies of engines of strictly lower priority
    /// on this host may be stopped to make room for one of them (<see cref="Preemption"/>): the engine of highest priority
    /// first, one copy per round, and not for more copies than it lacks beyond the preemptions already under way.
    /// </summary>
    private static PreemptDecision? DecidePreemption(HostSnapshot host, IReadOnlyList<EngineDemand> engines, Dictionary<Guid, EngineDemand> demandById,
        SchedulerSettings settings, List<StopDecision> stops, List<LaunchDecision> launches)
    {
        var launched = launches.CountBy(l => l.EngineId).ToDictionary();
        var waiting = engines
            .Where(e => e.Deficit - launched.GetValueOrDefault(e.EngineId) - e.PreemptionsPending > 0 && e.HostsWithRoom == 0 && !launched.ContainsKey(e.EngineId)
                && !e.InBackoff && !e.Deleting && !host.AvoidedEngines.ContainsKey(e.EngineId) && Engines.Engine.Matches(e.HostLabels, host.Labels))
            .OrderByDescending(e => e.Priority).ThenBy(e => e.Name, StringComparer.Ordinal)
            .ToList();
        if (waiting.Count == 0)
        {
            return null;
        }

        var stopped = stops.Select(s => s.InstanceId).ToHashSet();
        var free = RoomOn(host, settings, stops).Free - launches.Select(l => demandById[l.EngineId].Resources).Sum();
        var freeing = host.Instances.Where(i => i.State == EngineInstanceState.Stopping || stopped.Contains(i.InstanceId)).Select(i => i.Resources).Sum();
        var candidates = host.Instances
            .Where(i => EngineInstance.IsActiveState(i.State) && !i.Displaced && !stopped.Contains(i.InstanceId))
            .Select(i => demandById.TryGetValue(i.EngineId, out var d) && d.Preemptible && !d.Deleting ? new PreemptionCandidate(i, d.Priority) : null)
            .OfType<PreemptionCandidate>()
            .ToList();
        foreach (var engine in waiting)
        {
            var victims = Preemption.ChooseVictims(free, freeing, engine.Resources, engine.Priority, candidates);
            if (victims.Count > 0)
            {
                return new PreemptDecision(engine.EngineId, [.. victims.Select(v => new StopDecision(v.InstanceId, v.EngineId, ReasonPreempted))]);
            }
        }

        return null;
    }

    private static List<StopDecision> DecideStops(HostSnapshot host, Dictionary<Guid, EngineDemand> demandById, List<DisplaceDecision> displacements)
    {
        var stops = new List<StopDecision>();
        var up = host.Instances.Where(i => EngineInstance.IsActiveState(i.State)).ToList();
        if (up.Count == 0)
        {
            return stops;
        }

        if (host.Role is HostRole.Terminating or HostRole.DrainDeadlinePassed)
        {
            var reason = host.Role == HostRole.Terminating ? ReasonHostTerminating : ReasonDrainDeadline;
            stops.AddRange(up.Select(i => new StopDecision(i.InstanceId, i.EngineId, reason)));
            return stops;
        }

        foreach (var group in up.GroupBy(i => i.EngineId))
        {
            if (!demandById.TryGetValue(group.Key, out var demand) || demand.Deleting)
            {
                // The engine is being deleted or left the catalogue entirely.
                stops.AddRange(group.Select(i => new StopDecision(i.InstanceId, i.EngineId, ReasonEngineDeleted)));
                continue;
            }

            // Make before break: displaced copies stop only as their replacements run, so that the copies running
            // (replacements plus displaced copies still up) never fall below the target.
            if (demand.RunningCopies is { } running)
            {
                var replaced = running + demand.DisplacedCopies - demand.Target;
                stops.AddRange(group.Where(i => i.Displaced).OrderBy(i => i.CreatedAt).Take(Math.Max(0, replaced))
                    .Select(i => new StopDecision(i.InstanceId, i.EngineId, ReasonReplaced)));
            }

            var kept = StopCounted(group.Where(i => !i.Displaced), demand, stops);

            // A draining host asks for replacements of its copies while other hosts have room; each copy keeps
            // running until its replacement runs (or the drain deadline passes).
            if (host.Role == HostRole.Draining && demand.RoomElsewhere)
            {
                displacements.AddRange(kept.Select(i => new DisplaceDecision(i.InstanceId, i.EngineId)));
            }
            else if (host.Role == HostRole.Active && (demand.RoomElsewhere || demand.MayPreempt) && !Engines.Engine.Matches(demand.HostLabels, host.Labels))
            {
                // The engine's labels no longer match this host: its copies move the same way, a few at a time, also
                // where room must first be made by preemption (they keep working here until their replacements run).
                displacements.AddRange(kept.OrderBy(i => i.Busy).ThenBy(i => i.CreatedAt).Take(Math.Max(0, demand.MaxDisplaced - demand.DisplacedCopies))
                    .Select(i => new DisplaceDecision(i.InstanceId, i.EngineId, LabelsChanged: true)));
            }
        }

        return stops;
    }

    /// <summary>
    /// An engine's counted copies on this host: those above its target stop, then its rollout replaces outdated ones
    /// (<see cref="RollingUpdate"/>); returns the copies kept. Idle copies go before busy ones, and the copies least far
    /// along first: pending, then starting, then running (in a rollout: not yet healthy, then healthy), outdated first,
    /// newest first. A running copy is never stopped for a surplus while a younger copy that is still starting could go
    /// instead. A queue-scaled engine's busy copies are not stopped for a surplus at all.
    /// </summary>
    private static List<PlacedInstance> StopCounted(IEnumerable<PlacedInstance> counted, EngineDemand demand, List<StopDecision> stops)
    {
        var healthySince = demand.Rollout?.HealthySince;
        var ordered = counted
            .OrderBy(i => i.Busy).ThenBy(i => i.State).ThenBy(i => healthySince is { } since && i.HealthyAsOf(since)).ThenBy(i => i.Revision == demand.Revision)
            .ThenByDescending(i => i.CreatedAt).ToList();
        var stoppable = demand.ScalesDownIdleOnly ? ordered.Count(i => !i.Busy) : ordered.Count;
        var scaledDown = ordered.Take(Math.Min(demand.Surplus, stoppable)).ToList();
        stops.AddRange(scaledDown.Select(i => new StopDecision(i.InstanceId, i.EngineId, ReasonScaledDown)));
        var kept = ordered.Skip(scaledDown.Count).ToList();
        if (demand.Rollout is not { } rollout)
        {
            return kept;
        }

        // Healthy copies stopped for the surplus count against what the rollout may stop.
        var allowed = Math.Max(0, rollout.HealthyStopsAllowed - scaledDown.Count(i => i.HealthyAsOf(rollout.HealthySince)));
        var replaced = RollingUpdate.Replace(kept, demand.Revision, rollout with { HealthyStopsAllowed = allowed });
        stops.AddRange(replaced.Select(i => new StopDecision(i.InstanceId, i.EngineId, ReasonRollingUpdate)));
        return [.. kept.Except(replaced)];
    }

    /// <summary>
    /// What the host can still take: free resources and GPUs, launches left for this answer, and its active copies per
    /// engine (those being stopped not counted, nor outdated ones when <paramref name="demandById"/> says which revision is current).
    /// </summary>
    private static (Resources Free, Queue<int> FreeGpus, int Budget, Dictionary<Guid, int> CopiesHere) RoomOn(HostSnapshot host, SchedulerSettings settings, List<StopDecision> stops,
        Dictionary<Guid, EngineDemand>? demandById = null)
    {
        var allocated = Resources.Zero;
        var unreported = Resources.Zero;
        var usedGpus = new HashSet<int>(host.HeldGpuIndexes);
        var budget = settings.MaxLaunchesPerAnswer;
        var copiesHere = new Dictionary<Guid, int>();
        var stopped = stops.Count == 0 ? null : stops.Select(s => s.InstanceId).ToHashSet();
        foreach (var instance in host.Instances)
        {
            allocated += instance.Resources;
            if (instance.State == EngineInstanceState.Pending)
            {
                unreported += instance.Resources;
                budget--;
            }

            foreach (var gpu in instance.GpuIndexes)
            {
                usedGpus.Add(gpu);
            }

            if (EngineInstance.IsActiveState(instance.State) && !instance.Displaced && (stopped is null || !stopped.Contains(instance.InstanceId))
                && (demandById is null || !demandById.TryGetValue(instance.EngineId, out var demand) || demand.Revision == instance.Revision))
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
        return (free with { GpuCount = Math.Min(free.GpuCount, freeGpus.Count) }, freeGpus, budget, copiesHere);
    }

    private static List<LaunchDecision> DecideLaunches(HostSnapshot host, IReadOnlyList<EngineDemand> engines, Dictionary<Guid, EngineDemand> demandById,
        SchedulerSettings settings, List<StopDecision> stops)
    {
        var launches = new List<LaunchDecision>();
        // Under the spread policy an engine's outdated copies do not count: they leave as the rollout replaces them.
        var (free, freeGpus, budget, copiesHere) = RoomOn(host, settings, stops, demandById);
        foreach (var engine in engines.OrderByDescending(e => e.Priority).ThenBy(e => e.Name, StringComparer.Ordinal).ThenBy(e => e.EngineId))
        {
            // A host where the engine kept crashing is avoided while a host with room does not avoid it (more hosts have
            // room than avoid it); when every host with room avoids it, it is placed anyway rather than starved.
            if (engine.Deficit <= 0 || engine.InBackoff || engine.Deleting || !Engines.Engine.Matches(engine.HostLabels, host.Labels)
                || (host.AvoidedEngines.TryGetValue(engine.EngineId, out var avoiding) && engine.HostsWithRoom > avoiding))
            {
                continue;
            }

            var wanted = engine.Deficit;
            if (settings.Policy == PlacementPolicy.Spread)
            {
                wanted = Math.Min(wanted, engine.SpreadCap - copiesHere.GetValueOrDefault(engine.EngineId));
            }

            // One answer carries a bounded number of launches (those already sent and not yet reported included).
            while (wanted > 0 && budget > 0 && free.Fits(engine.Resources))
            {
                var gpus = new int[engine.Resources.GpuCount];
                for (var g = 0; g < gpus.Length; g++)
                {
                    gpus[g] = freeGpus.Dequeue();
                }

                launches.Add(new LaunchDecision(engine.EngineId, gpus));
                free -= engine.Resources;
                wanted--;
                budget--;
            }
        }

        return launches;
    }
}
