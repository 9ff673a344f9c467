using Controller.Application.Events.Models;
using Mediator;

namespace Controller.Application.Events.Queries.FollowEvents;

/// <summary>
/// Follow the feed live: the events after <paramref name="After"/> (an <c>eventId</c>; without it, from now on) as they
/// are written, filtered like <c>GET /event</c>.
/// </summary>
public sealed record FollowEventsQuery(long? After, IReadOnlyList<string> Types, Guid? HostId, Guid? EngineId, Guid? InstanceId) : IQuery<EventStream>;

/// <summary>Events as they come; a null element is an idle keep-alive.</summary>
public sealed record EventStream(long StartsAfter, IAsyncEnumerable<EventDto?> Events);
