using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Controller.Domain.Common;
using Controller.Domain.Engines;
using Controller.Domain.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Controller.Application.Scheduling;

/// <summary>The engine catalogue with counts, and how many active hosts have room for one more copy of each engine.</summary>
public sealed class ClusterSnapshot(IReadOnlyList<Engine> engines, IReadOnlyDictionary<Guid, int> hostsWithRoom, DateTimeOffset takenAt)
{
    public IReadOnlyList<Engine> Engines { get; } = engines;

    public IReadOnlyDictionary<Guid, int> HostsWithRoom { get; } = hostsWithRoom;

    public DateTimeOffset TakenAt { get; } = takenAt;

    /// <summary>The scheduler's view of each engine, using counts from <paramref name="engines"/> (fresh or cached).</summary>
    public IReadOnlyList<EngineDemand> Demands(IEnumerable<Engine> engines, DateTimeOffset now) =>
        [.. engines.Where(e => e.State != EngineState.Deleted).Select(e =>
        {
            var room = HostsWithRoom.GetValueOrDefault(e.Id);
            var spreadCap = e.Target == 0 ? 0 : (int)Math.Ceiling(e.Target / (double)Math.Max(1, room));
            return new EngineDemand(e.Id, e.Name, e.Priority, e.Resources, e.HostLabels, e.Deficit, e.Surplus,
                e.State == EngineState.Deleting, e.InBackoffAt(now), spreadCap, room > 0);
        })];
}

/// <summary>
/// A cached, cluster-wide view for the scheduler: rebuilt at most every
/// <see cref="SchedulingOptions.SnapshotMaxAgeMilliseconds"/> (O(hosts × engines), off the per-request cost),
/// and at once after this replica changes the catalogue or the hosts. Placement safety never depends on it:
/// capacity is checked on the host's own rows and counts on the engine rows, under their versions.
/// </summary>
public sealed class ClusterView(IServiceScopeFactory scopes, IOptions<SchedulingOptions> options, TimeProvider clock) : IDisposable
{
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile ClusterSnapshot? _current;

    public void Invalidate() => _current = null;

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

    private async Task<ClusterSnapshot> BuildAsync(CancellationToken cancellationToken)
    {
        var takenAt = clock.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var engines = await scope.ServiceProvider.GetRequiredService<IEngineRepository>().ListLiveAsync(cancellationToken);
        var hosts = await scope.ServiceProvider.GetRequiredService<IHostDirectory>().ListActiveAsync(cancellationToken);
        var room = new Dictionary<Guid, int>(engines.Count);
        foreach (var host in hosts)
        {
            var free = host.Capacity - host.Allocated;
            foreach (var engine in engines)
            {
                if (free.Fits(engine.Resources) && engine.AcceptsHostLabels(host.Labels))
                {
                    room[engine.Id] = room.GetValueOrDefault(engine.Id) + 1;
                }
            }
        }

        return new ClusterSnapshot(engines, room, takenAt);
    }
}

/// <summary>Serialises, inside this process, the rounds that change engine counts, so they do not collide on engine rows.</summary>
public sealed class PlacementGate : Common.AsyncGate;

internal static class ResourceSums
{
    public static Resources Sum(this IEnumerable<Resources> resources)
    {
        var total = Resources.Zero;
        foreach (var r in resources)
        {
            total += r;
        }

        return total;
    }
}
