using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Models;
using Controller.Application.Common.Options;
using Controller.Domain.Engines;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Controller.Application.Scheduling;

/// <summary>
/// A cached, cluster-wide view for the scheduler: rebuilt at most every
/// <see cref="SchedulingOptions.SnapshotMaxAgeMilliseconds"/> (O(hosts × engines), off the per-request cost),
/// and kept current between rebuilds by this replica's own commits (<see cref="Committed"/>, the after-commit hook),
/// without a rebuild. Placement safety never depends on it:
/// capacity is checked on the host's own rows and counts on the engine rows, under their versions.
/// </summary>
public sealed class ClusterView(IServiceScopeFactory scopes, IOptions<SchedulingOptions> options, TimeProvider clock, Hosts.FastPath.SteadyStateCache steady)
    : IClusterChanges, IClusterViewSource, IDisposable
{
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private readonly Lock _engineUpdates = new();
    private volatile ClusterSnapshot? _current;
    private DateTimeOffset? _changesReadAt;

    /// <summary>
    /// How long after its time a change may commit, and a round that read before it still finish: an event at T is looked
    /// for until T plus this, and a steady round decided before T plus this is taken to have read before the change.
    /// </summary>
    private static readonly TimeSpan CommitAllowance = TimeSpan.FromSeconds(5);

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
        await ForgetChangedHostsAsync(scope.ServiceProvider.GetRequiredService<IHostDirectory>(), takenAt, cancellationToken);
        return new ClusterSnapshot(engines, hosts, takenAt);
    }

    /// <summary>
    /// A copy stopped, or any other change to a host made on another replica, is not answered from memory here past this
    /// refresh: the hosts with events since the last refresh (less the allowance) lose what was decided before them.
    /// </summary>
    private async Task ForgetChangedHostsAsync(IHostDirectory directory, DateTimeOffset takenAt, CancellationToken cancellationToken)
    {
        var since = _changesReadAt;
        _changesReadAt = takenAt - CommitAllowance;
        if (since is null)
        {
            return; // the first view: nothing is remembered yet
        }

        foreach (var change in await directory.ListChangedSinceAsync(since.Value, cancellationToken))
        {
            steady.ForgetDecidedBefore(change.HostId, change.At + CommitAllowance);
        }
    }
}

/// <summary>Serialises, inside this process, the rounds that change engine counts, so they do not collide on engine rows.</summary>
public sealed class PlacementGate : Common.AsyncGate, IPlacementGate;
