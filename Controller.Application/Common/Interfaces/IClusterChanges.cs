namespace Controller.Application.Common.Interfaces;

/// <summary>
/// What a handler tells the placement view after it committed a change of the catalogue or of a host, so that the view
/// is rebuilt (in the background) and the host's next report gets a full round.
/// </summary>
public interface IClusterChanges
{
    void Invalidate();

    void InvalidateHost(Guid hostId);
}

/// <summary>The placement view (engines and active hosts), at most a moment old; never rebuilt inside a request.</summary>
public interface IClusterViewSource
{
    Task<Scheduling.ClusterSnapshot> GetAsync(CancellationToken cancellationToken);
}
