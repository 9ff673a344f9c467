using Controller.Domain.Events;

namespace Controller.Application.Common.Interfaces;

/// <summary>Which events to read: any of <see cref="Types"/> (all when empty), about one host, engine or instance.</summary>
public sealed record EventFilter(IReadOnlyCollection<string> Types, Guid? HostId, Guid? EngineId, Guid? InstanceId)
{
    public static EventFilter All { get; } = new([], null, null, null);

    public static EventFilter Of(IEnumerable<string> types, Guid? hostId, Guid? engineId, Guid? instanceId) =>
        new([.. types.Distinct(StringComparer.Ordinal)], hostId, engineId, instanceId);
}

/// <summary>The cluster event feed. Events raised by aggregates are stored with them; this adds the others and reads.</summary>
public interface IEventLog
{
    /// <summary>Stored with the next save of the unit of work (same transaction).</summary>
    void Add(ClusterEvent clusterEvent);

    /// <summary>
    /// In feed order. With <paramref name="after"/>: the first <paramref name="limit"/> events after that sequence;
    /// without: the latest <paramref name="limit"/> events.
    /// </summary>
    Task<IReadOnlyList<ClusterEvent>> ListAsync(EventFilter filter, long? after, int limit, CancellationToken cancellationToken);
}

/// <summary>Wakes live followers of the feed when this replica stored events (followers of other replicas poll).</summary>
public interface IEventSignal
{
    void Notify();

    /// <summary>A task that completes at the next <see cref="Notify"/>: take it before reading the feed, await it after (so nothing is missed in between).</summary>
    Task NextNotification();
}
