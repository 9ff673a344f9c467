using System.Net.Mime;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Controller.Api.Contracts;
using Controller.Api.Security;
using Controller.Application.Events.Models;
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
    /// <summary>The name of an idle stream's keep-alive event (its data is empty).</summary>
    public const string KeepAliveEvent = "keepalive";

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
    /// An idle stream gets a <c>keepalive</c> event with empty data every 15 s.
    /// </summary>
    [HttpGet("stream")]
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
        return ServerSentEvents(stream.Events, ct);
    }

    /// <summary>The feed as Server-Sent Events: id = eventId, event = type, data = the event as JSON; keep-alives between.</summary>
    public static IResult ServerSentEvents(IAsyncEnumerable<EventDto?> events, CancellationToken ct) => TypedResults.ServerSentEvents(Items(events, ct));

    private static async IAsyncEnumerable<SseItem<string>> Items(IAsyncEnumerable<EventDto?> events, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var e in events.WithCancellation(ct))
        {
            if (e is null)
            {
                yield return new SseItem<string>(string.Empty, KeepAliveEvent);
                continue;
            }

            var json = JsonSerializer.Serialize(e.ToResponse(), JsonSerializerOptions.Web);
            yield return new SseItem<string>(json, e.Type) { EventId = e.EventId.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        }
    }
}
