namespace Controller.Domain.Common;

/// <summary>Base of every aggregate: a time-ordered id and an optimistic concurrency version.</summary>
public abstract class Entity
{
    protected Entity(Guid id) => Id = id;

    public Guid Id { get; private set; }

    /// <summary>Incremented by the persistence layer on every save; a concurrent writer that saw an older version fails and retries.</summary>
    public long Version { get; private set; }
}
