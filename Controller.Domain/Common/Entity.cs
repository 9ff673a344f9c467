using Controller.Domain.Events;

namespace Controller.Domain.Common;

/// <summary>Base of every aggregate: a time-ordered id, an optimistic concurrency version, and the events its changes raised.</summary>
public abstract class Entity
{
    private List<ClusterEvent>? _events;

    protected Entity(Guid id) => Id = id;

    public Guid Id { get; private set; }

    /// <summary>Incremented by the persistence layer on every save; a concurrent writer that saw an older version fails and retries.</summary>
    public long Version { get; private set; }

    /// <summary>The events raised since the last call, handed to whoever stores this aggregate (with it, in one transaction).</summary>
    public IReadOnlyList<ClusterEvent> TakeEvents()
    {
        var events = (IReadOnlyList<ClusterEvent>?)_events ?? [];
        _events = null;
        return events;
    }

    /// <summary>The events raised and not yet taken (for tests and assertions; does not clear them).</summary>
    public IReadOnlyList<ClusterEvent> PeekEvents() => (IReadOnlyList<ClusterEvent>?)_events ?? [];

    protected void Raise(ClusterEvent clusterEvent) => (_events ??= []).Add(clusterEvent);
}
