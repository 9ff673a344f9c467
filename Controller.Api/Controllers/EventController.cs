using System.Net.Mime;
using Controller.Api.Contracts;
using Controller.Api.Security;
using Controller.Application.Events.Queries.FollowEvents;
using Controller.Application.Events.Queries.ListEvents;
using Mediator;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Controller.Api.Controllers;

/// <summary>The cluster event feed: what the controller did and why (admins and viewers).</summary>
[Route("event")]
[Authorize(Policy = Policies.AdminOrViewer)]
public sealed class EventController(ISender sender) : ApiControllerBase
{
    /// <summary>
    /// Events in order, filtered by type (repeatable), host, engine or instance. With <c>after</c> (an eventId; 0 for the
    /// oldest kept): the events that follow it; without: the latest <c>limit</c>. Follow by passing <c>lastEventId</c> back.
    /// </summary>
    [HttpGet]
    [ProducesResponseType<EventPageResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status400BadRequest, MediaTypeNames.Application.ProblemJson)]
    public async Task<EventPageResponse> List(
        [FromQuery] long? after,
        [FromQuery] string[]? type,
        [FromQuery] Guid? hostId,
        [FromQuery] Guid? engineId,
        [FromQuery] Guid? instanceId,
        [FromQuery] int limit = ListEventsQuery.DefaultLimit,
        CancellationToken ct = default) =>
        (await sender.Send(new ListEventsQuery(after, type ?? [], hostId, engineId, instanceId, limit), ct)).ToResponse();

    /// <summary>
    /// Server-Sent Events: every event as it is written (<c>id</c> = eventId, <c>event</c> = type, <c>data</c> = the event as
    /// JSON), from <c>after</c> or the <c>Last-Event-ID</c> header (a reconnecting browser sends it), else from now on.
    /// The stream opens with a <c>keepalive</c> event (empty data) carrying <c>retry:</c>, and an idle stream gets one
    /// every 15 s. It ends when its token is revoked or expires. A token may hold 10 streams open per replica (429 beyond).
    /// </summary>
    [HttpGet("stream")]
    [EventStream]
    [Produces(MediaTypeNames.Text.EventStream)]
    [ProducesResponseType<EventResponse>(StatusCodes.Status200OK, MediaTypeNames.Text.EventStream)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status400BadRequest, MediaTypeNames.Application.ProblemJson)]
    public async Task<IResult> Stream(
        [FromQuery] long? after,
        [FromQuery] string[]? type,
        [FromQuery] Guid? hostId,
        [FromQuery] Guid? engineId,
        [FromQuery] Guid? instanceId,
        [FromHeader(Name = "Last-Event-ID")] long? lastEventId,
        CancellationToken ct = default)
    {
        var stream = await sender.Send(new FollowEventsQuery(lastEventId ?? after, type ?? [], hostId, engineId, instanceId), ct);
        return EventStreams.Of(stream.Events, EventStreamGuard.Watch(HttpContext));
    }
}
