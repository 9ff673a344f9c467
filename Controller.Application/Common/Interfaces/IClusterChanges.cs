namespace Controller.Application.Common.Interfaces;

/// <summary>
/// What one committed transaction changed that the placement view, the fast path and held getwork calls care about,
/// collected by the persistence layer from the rows it saved: hosts and engines as saved, the hosts whose instances
/// changed state, the engines some of whose copies left (stopping or ended), and the tasks queued per engine (submitted or
/// put back).
/// </summary>
public sealed record CommittedChanges(
    IReadOnlyList<Domain.Hosts.Host> Hosts,
    IReadOnlyList<Domain.Engines.Engine> Engines,
    IReadOnlyList<Guid> HostsWithInstanceChanges)
{
    public IReadOnlyList<Guid> EnginesWithCopiesLeaving { get; init; } = [];

    public IReadOnlyDictionary<Guid, int> TasksQueued { get; init; } = new Dictionary<Guid, int>();

    public bool IsEmpty => Hosts.Count == 0 && Engines.Count == 0 && HostsWithInstanceChanges.Count == 0 && TasksQueued.Count == 0;
}

/// <summary>
/// The one after-commit hook: the unit of work calls it after every commit that saved hosts, engines or instance
/// states, so the placement view follows this replica's changes (no rebuild) and the hosts concerned get a full round
/// on their next report. No handler calls it; changes made by other replicas arrive with the background refresh.
/// </summary>
public interface IClusterChanges
{
    void Committed(CommittedChanges changes);
}

/// <summary>
/// Serialises, inside this process, the rounds that change engine counts (they would otherwise collide on the engine
/// rows and retry); safety never depends on it, the rows' versions do.
/// </summary>
public interface IPlacementGate
{
    ValueTask<IDisposable> EnterAsync(CancellationToken cancellationToken);
}

/// <summary>The placement view (engines and active hosts), at most a moment old; never rebuilt inside a request.</summary>
public interface IClusterViewSource
{
    Task<Models.ClusterSnapshot> GetAsync(CancellationToken cancellationToken);
}
