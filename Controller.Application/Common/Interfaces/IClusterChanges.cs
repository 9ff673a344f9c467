namespace Controller.Application.Common.Interfaces;

/// <summary>
/// What a handler tells the placement view after it committed a change of the catalogue or of a host, so that the view
/// is rebuilt (in the background) and the host's next report gets a full round.
/// </summary>
public interface IClusterChanges
{
    void Invalidate();

    void InvalidateHost(Guid hostId);

    /// <summary>A round saved engine counts: the view takes them as saved (no rebuild).</summary>
    void UpdateEngines(IEnumerable<Domain.Engines.Engine> savedEngines);

    /// <summary>A round saved a host's state or allocation.</summary>
    void UpdateHost(Guid hostId, bool active, IReadOnlyDictionary<string, string> labels, Domain.Common.Resources free);
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
    Task<Scheduling.ClusterSnapshot> GetAsync(CancellationToken cancellationToken);
}
