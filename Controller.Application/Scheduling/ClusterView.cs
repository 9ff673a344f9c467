using System.Collections.Concurrent;
using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Controller.Domain.Common;
using Controller.Domain.Engines;
using Controller.Domain.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Controller.Application.Scheduling;

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

    /// <summary>The scheduler's view of each engine; <paramref name="running"/>, when given, is per engine its counted copies running cluster-wide (for copies waiting on replacements).</summary>
    public IReadOnlyList<EngineDemand> Demands(IEnumerable<Engine> engines, DateTimeOffset now, IReadOnlyDictionary<Guid, ReplacementCounts>? running = null) =>
        [.. engines.Where(e => e.State != EngineState.Deleted).Select(e =>
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
            };
        })];

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

/// <summary>
/// A cached, cluster-wide view for the scheduler: rebuilt at most every
/// <see cref="SchedulingOptions.SnapshotMaxAgeMilliseconds"/> (O(hosts × engines), off the per-request cost),
/// and kept current between rebuilds by this replica's own commits (<see cref="Committed"/>, the after-commit hook),
/// without a rebuild. Placement safety never depends on it:
/// capacity is checked on the host's own rows and counts on the engine rows, under their versions.
/// </summary>
public sealed class ClusterView(IServiceScopeFactory scopes, IOptions<SchedulingOptions> options, TimeProvider clock, Hosts.FastPath.SteadyStateCache steady) : IClusterChanges, IClusterViewSource, IDisposable
{
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private readonly Lock _engineUpdates = new();
    private volatile ClusterSnapshot? _current;

    /// <summary>
    /// After a commit on this replica: the hosts it saved take their new state and free resources (O(engines) each),
    /// the engines it saved replace theirs (a newer version only; deleted ones leave; O(engines), room recounted only
    /// for an engine whose resources or labels changed), and every host concerned gets a full round on its next report.
    /// </summary>
    public void Committed(CommittedChanges changes)
    {
        foreach (var hostId in changes.HostsWithInstanceChanges)
        {
            steady.Forget(hostId);
        }

        foreach (var host in changes.Hosts)
        {
            steady.Forget(host.Id);
            _current?.UpdateHost(host.Id, host.State == Domain.Hosts.HostState.Active, host.Labels, host.Capacity - host.Allocated);
        }

        if (changes.Engines.Count == 0)
        {
            return;
        }

        lock (_engineUpdates)
        {
            if (_current is not { } current)
            {
                return;
            }

            var saved = changes.Engines.ToDictionary(e => e.Id);
            var merged = new List<Engine>(current.Engines.Count + saved.Count);
            foreach (var engine in current.Engines)
            {
                var latest = saved.Remove(engine.Id, out var newer) && newer.Version >= engine.Version ? newer : engine;
                if (latest.State != EngineState.Deleted)
                {
                    merged.Add(latest);
                }
            }

            merged.AddRange(saved.Values.Where(e => e.State != EngineState.Deleted));
            _current = current.WithEngines(merged);
        }
    }

    public void Dispose() => _refresh.Dispose();

    public async Task<ClusterSnapshot> GetAsync(CancellationToken cancellationToken)
    {
        var current = _current;
        var maxAge = TimeSpan.FromMilliseconds(options.Value.SnapshotMaxAgeMilliseconds);
        if (current is not null && clock.GetUtcNow() - current.TakenAt < maxAge)
        {
            return current;
        }

        // One caller rebuilds; the others keep using the previous snapshot if there is one.
        if (current is not null && !await _refresh.WaitAsync(0, cancellationToken))
        {
            return current;
        }

        if (current is not null && maxAge > TimeSpan.Zero)
        {
            // The rebuild (O(hosts)) runs in the background; this request goes on with the view it has.
            _ = Task.Run(RefreshInBackgroundAsync, CancellationToken.None);
            return current;
        }

        if (current is null)
        {
            await _refresh.WaitAsync(cancellationToken);
        }

        try
        {
            if (_current is { } fresh && !ReferenceEquals(fresh, current) && clock.GetUtcNow() - fresh.TakenAt < maxAge)
            {
                return fresh;
            }

            var rebuilt = await BuildAsync(cancellationToken);
            _current = rebuilt;
            return rebuilt;
        }
        finally
        {
            _refresh.Release();
        }
    }

    private async Task RefreshInBackgroundAsync()
    {
        try
        {
            _current = await BuildAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The previous view stays; the next request past its age tries again.
        }
        finally
        {
            _refresh.Release();
        }
    }

    private async Task<ClusterSnapshot> BuildAsync(CancellationToken cancellationToken)
    {
        var takenAt = clock.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var engines = await scope.ServiceProvider.GetRequiredService<IEngineRepository>().ListLiveAsync(cancellationToken);
        var hosts = await scope.ServiceProvider.GetRequiredService<IHostDirectory>().ListActiveAsync(cancellationToken);

        // A host that another replica drained, terminated or declared lost is no longer answered from memory here.
        steady.KeepOnly(hosts.Select(h => h.HostId).ToHashSet());
        return new ClusterSnapshot(engines, hosts, takenAt);
    }
}

/// <summary>Serialises, inside this process, the rounds that change engine counts, so they do not collide on engine rows.</summary>
public sealed class PlacementGate : Common.AsyncGate, IPlacementGate;
