namespace Controller.Domain.Common;

/// <summary>Base of every aggregate: a time-ordered id and an optimistic concurrency version.</summary>
public abstract class Entity
{
    protected Entity(Guid id) => Id = id;

    public Guid Id { get; private set; }

    /// <summary>Incremented on every save; a concurrent writer that saw an older version fails and retries.</summary>
    public long Version { get; private set; }

    /// <summary>Called by the persistence layer when the entity is saved as modified.</summary>
    public void BumpVersion() => Version++;
}
