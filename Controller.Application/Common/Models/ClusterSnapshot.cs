using System.Collections.Concurrent;
using Controller.Domain.Common;
using Controller.Domain.Engines;
using Controller.Domain.Scheduling;

namespace Controller.Application.Common.Models;

/// <summary>
/// The engine catalogue with counts, the active hosts' free resources, and how many active hosts have room for
/// one more copy of each engine. The host part is kept current by this replica's own rounds (O(engines) each); a
/// round that only changed engine counts swaps the catalogue in O(engines), since which hosts have room for a copy
/// depends on an engine's resources and host labels, not on its counts.
/// </summary>
public sealed class ClusterSnapshot
{
    private readonly HostTable _table;

    public ClusterSnapshot(IReadOnlyList<Engine> engines, IEnumerable<ActiveHostView> activeHosts, DateTimeOffset takenAt)
        : this(engines, new HostTable(engines), takenAt)
    {
        foreach (var host in activeHosts)
        {
            UpdateHost(host.HostId, active: true, host.Labels, host.Capacity - host.Allocated);
        }
    }

    private ClusterSnapshot(IReadOnlyList<Engine> engines, HostTable table, DateTimeOffset takenAt)
    {
        Engines = engines;
        _table = table;
        TakenAt = takenAt;
    }

    public IReadOnlyList<Engine> Engines { get; }

    public DateTimeOffset TakenAt { get; }

    public int HostsWithRoom(Guid engineId) => _table.Room.GetValueOrDefault(engineId);

    /// <summary>True when the host was active as of this view (false also for a host the view does not know yet).</summary>
    public bool IsActiveHost(Guid hostId) => _table.Hosts.ContainsKey(hostId);

    /// <summary>
    /// The same hosts, with the engines as just saved. Room is counted again (O(hosts)) only for an engine that is new
    /// or whose resources or host labels changed; for the others it is kept (O(engines) in all).
    /// </summary>
    public ClusterSnapshot WithEngines(IReadOnlyList<Engine> engines)
    {
        lock (_table.Gate)
        {
            var previous = _table.Engines.ToDictionary(e => e.Id);
            foreach (var engine in engines)
            {
                if (!previous.Remove(engine.Id, out var before) || !SamePlacement(before, engine))
                {
                    _table.Room[engine.Id] = _table.Hosts.Values.Count(h => Fits(engine, h.Labels, h.Free));
                }
            }

            foreach (var gone in previous.Keys)
            {
                _table.Room.TryRemove(gone, out _);
            }

            _table.Engines = engines;
            return new ClusterSnapshot(engines, _table, TakenAt);
        }
    }

    /// <summary>A host's state or allocation changed on this replica: adjust the room counts (O(engines)).</summary>
    public void UpdateHost(Guid hostId, bool active, IReadOnlyDictionary<string, string> labels, Resources free)
    {
        lock (_table.Gate)
        {
            if (_table.Hosts.TryRemove(hostId, out var previous))
            {
                Count(previous.Labels, previous.Free, -1);
            }

            if (active)
            {
                _table.Hosts[hostId] = (labels, free);
                Count(labels, free, +1);
            }
        }
    }

    /// <summary>
    /// The scheduler's view of each engine; <paramref name="running"/>, when given, is per engine its counted copies running
    /// cluster-wide (for copies waiting on replacements); <paramref name="rollouts"/>, the engines replacing outdated copies here.
    /// </summary>
    public IReadOnlyList<EngineDemand> Demands(IEnumerable<Engine> engines, DateTimeOffset now, IReadOnlyDictionary<Guid, ReplacementCounts>? running = null,
        IReadOnlyDictionary<Guid, RolloutDemand>? rollouts = null)
    {
        var all = engines as IReadOnlyCollection<Engine> ?? [.. engines];
        var lowestPreemptible = all.Where(e => e.State == EngineState.Active && e.Preemptible && e.ActiveInstances > 0).Select(e => e.Priority).DefaultIfEmpty(int.MaxValue).Min();
        return [.. all.Where(e => e.State != EngineState.Deleted).Select(e =>
        {
            var room = HostsWithRoom(e.Id);
            var spreadCap = e.Target == 0 ? 0 : (int)Math.Ceiling(e.Target / (double)Math.Max(1, room));
            return new EngineDemand(e.Id, e.Name, e.Priority, e.Resources, e.HostLabels, e.Deficit, e.Surplus,
                e.State == EngineState.Deleting, e.InBackoffAt(now), spreadCap, room > 0)
            {
                Target = e.Target,
                HostsWithRoom = room,
                RunningCopies = running is null ? null : running.GetValueOrDefault(e.Id)?.Running ?? 0,
                DisplacedCopies = running?.GetValueOrDefault(e.Id)?.Displaced ?? 0,
                ScalesDownIdleOnly = e.ScalingMode == ScalingMode.Queue && e.State == EngineState.Active,
                Preemptible = e.Preemptible,
                PreemptionsPending = e.PreemptionsPendingAt(now),
                Revision = e.Revision,
                Rollout = rollouts?.GetValueOrDefault(e.Id),
                MaxDisplaced = Math.Max(1, e.UpdatePolicy.SurgeFor(e.Target)),
                MayPreempt = e.Priority > lowestPreemptible,
            };
        })];
    }

    private static bool Fits(Engine engine, IReadOnlyDictionary<string, string> labels, Resources free) =>
        free.Fits(engine.Resources) && engine.AcceptsHostLabels(labels);

    private static bool SamePlacement(Engine before, Engine after) =>
        before.Resources == after.Resources
        && before.HostLabels.Count == after.HostLabels.Count
        && Engine.Matches(before.HostLabels, after.HostLabels);

    private void Count(IReadOnlyDictionary<string, string> labels, Resources free, int delta)
    {
        foreach (var engine in _table.Engines)
        {
            if (Fits(engine, labels, free))
            {
                _table.Room.AddOrUpdate(engine.Id, Math.Max(0, delta), (_, n) => Math.Max(0, n + delta));
            }
        }
    }

    /// <summary>The active hosts and the room counts, shared by a snapshot and the ones that took newer engines from it.</summary>
    private sealed class HostTable(IReadOnlyList<Engine> engines)
    {
        public Lock Gate { get; } = new();

        public ConcurrentDictionary<Guid, (IReadOnlyDictionary<string, string> Labels, Resources Free)> Hosts { get; } = new();

        public ConcurrentDictionary<Guid, int> Room { get; } = new();

        /// <summary>The engines the room counts are for (the latest taken); changed only under the table's lock.</summary>
        public IReadOnlyList<Engine> Engines { get; set; } = engines;
    }
}
