using Controller.Application.Events.Models;
using Mediator;

namespace Controller.Application.Events.Queries.ListEvents;

/// <summary>
/// The event feed in order. With <paramref name="After"/> (an <c>eventId</c>; 0 for the beginning): the events that follow
/// it; without: the latest <paramref name="Limit"/> events.
/// </summary>
public sealed record ListEventsQuery(long? After, IReadOnlyList<string> Types, Guid? HostId, Guid? EngineId, Guid? InstanceId, int Limit = ListEventsQuery.DefaultLimit)
    : IQuery<EventPage>
{
    public const int DefaultLimit = 100;
}
