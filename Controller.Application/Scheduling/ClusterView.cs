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
/// one more copy of each engine. The host part is kept current by this replica's own rounds (O(engines) each).
/// </summary>
public sealed class ClusterSnapshot
{
    private readonly ConcurrentDictionary<Guid, (IReadOnlyDictionary<string, string> Labels, Resources Free)> _hosts;
    private readonly ConcurrentDictionary<Guid, int> _room;
    private readonly object _updates = new();

    public ClusterSnapshot(IReadOnlyList<Engine> engines, IEnumerable<ActiveHostView> activeHosts, DateTimeOffset takenAt)
        : this(engines, new ConcurrentDictionary<Guid, (IReadOnlyDictionary<string, string>, Resources)>(), new ConcurrentDictionary<Guid, int>(), takenAt)
    {
        foreach (var host in activeHosts)
        {
            UpdateHost(host.HostId, active: true, host.Labels, host.Capacity - host.Allocated);
        }
    }

    private ClusterSnapshot(
        IReadOnlyList<Engine> engines,
        ConcurrentDictionary<Guid, (IReadOnlyDictionary<string, string> Labels, Resources Free)> hosts,
        ConcurrentDictionary<Guid, int> room,
        DateTimeOffset takenAt)
    {
        Engines = engines;
        _hosts = hosts;
        _room = room;
        TakenAt = takenAt;
    }

    public IReadOnlyList<Engine> Engines { get; }

    public DateTimeOffset TakenAt { get; }

    public int HostsWithRoom(Guid engineId) => _room.GetValueOrDefault(engineId);

    /// <summary>True when the host was active as of this view (false also for a host the view does not know yet).</summary>
    public bool IsActiveHost(Guid hostId) => _hosts.ContainsKey(hostId);

    /// <summary>The same hosts, with the engines as just saved.</summary>
    public ClusterSnapshot WithEngines(IReadOnlyList<Engine> engines)
    {
        lock (_updates)
        {
            var room = new ConcurrentDictionary<Guid, int>();
            foreach (var (_, host) in _hosts)
            {
                foreach (var engine in engines)
                {
                    if (host.Free.Fits(engine.Resources) && engine.AcceptsHostLabels(host.Labels))
                    {
                        room.AddOrUpdate(engine.Id, 1, (_, n) => n + 1);
                    }
                }
            }

            return new ClusterSnapshot(engines, _hosts, room, TakenAt);
        }
    }

    /// <summary>A host's state or allocation changed on this replica: adjust the room counts (O(engines)).</summary>
    public void UpdateHost(Guid hostId, bool active, IReadOnlyDictionary<string, string> labels, Resources free)
    {
        lock (_updates)
        {
            if (_hosts.TryRemove(hostId, out var previous))
            {
                Count(previous.Labels, previous.Free, -1);
            }

            if (active)
            {
                _hosts[hostId] = (labels, free);
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

    private void Count(IReadOnlyDictionary<string, string> labels, Resources free, int delta)
    {
        foreach (var engine in Engines)
        {
            if (free.Fits(engine.Resources) && engine.AcceptsHostLabels(labels))
            {
                _room.AddOrUpdate(engine.Id, Math.Max(0, delta), (_, n) => Math.Max(0, n + delta));
            }
        }
    }
}

/// <summary>
/// A cached, cluster-wide view for the scheduler: rebuilt at most every
/// <see cref="SchedulingOptions.SnapshotMaxAgeMilliseconds"/> (O(hosts × engines), off the per-request cost),
/// and at once after this replica changes the catalogue or the hosts. Placement safety never depends on it:
/// capacity is checked on the host's own rows and counts on the engine rows, under their versions.
/// </summary>
public sealed class ClusterView(IServiceScopeFactory scopes, IOptions<SchedulingOptions> options, TimeProvider clock, Hosts.FastPath.SteadyStateCache steady) : IClusterChanges, IClusterViewSource, IDisposable
{
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile ClusterSnapshot? _current;

    /// <summary>This replica changed the catalogue: the view is rebuilt (the fast path decides on the rebuilt engines).</summary>
    public void Invalidate() => _current = null;

    /// <summary>This replica changed a host (an admin action, a sweep): the view is rebuilt and the host's next report gets a full round.</summary>
    public void InvalidateHost(Guid hostId)
    {
        _current = null;
        steady.Forget(hostId);
    }

    /// <summary>
    /// After a round changed engine counts: keep the hosts part of the view and take the engines as just saved,
    /// so that the next rounds on this replica see the new counts without an O(hosts) rebuild.
    /// </summary>
    public void UpdateEngines(IEnumerable<Engine> savedEngines)
    {
        if (_current is { } current)
        {
            _current = current.WithEngines([.. savedEngines]);
        }
    }

    /// <summary>A round on this replica changed a host's state or allocation.</summary>
    public void UpdateHost(Guid hostId, bool active, IReadOnlyDictionary<string, string> labels, Resources free) =>
        _current?.UpdateHost(hostId, active, labels, free);

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
