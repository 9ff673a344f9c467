using System.Net.Mime;
using System.Net.ServerSentEvents;
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
        return ServerSentEvents(HttpContext, stream.Events);
    }

    /// <summary>How long a browser waits before it reconnects a dropped stream (sent as <c>retry:</c> when it opens).</summary>
    public static readonly TimeSpan ReconnectAfter = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The feed as Server-Sent Events: id = eventId, event = type, data = the event as JSON; a keep-alive first (so the
    /// headers leave at once) and between. Ends quietly when the caller's token stops being valid.
    /// </summary>
    public static IResult ServerSentEvents(HttpContext http, IAsyncEnumerable<EventDto?> events) =>
        TypedResults.ServerSentEvents(Items(events, EventStreamGuard.Watch(http)));

    private static async IAsyncEnumerable<SseItem<string>> Items(IAsyncEnumerable<EventDto?> events, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        yield return new SseItem<string>(string.Empty, KeepAliveEvent) { ReconnectionInterval = ReconnectAfter };
        await using var next = events.GetAsyncEnumerator(ct);
        while (await MoveNextAsync(next, ct))
        {
            var e = next.Current;
            if (e is null)
            {
                yield return new SseItem<string>(string.Empty, KeepAliveEvent);
                continue;
            }

            var json = JsonSerializer.Serialize(e.ToResponse(), JsonSerializerOptions.Web);
            yield return new SseItem<string>(json, e.Type) { EventId = e.EventId.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        }
    }

    /// <summary>The next event, or false once the stream has ended (the client left, or its token is no longer valid).</summary>
    private static async ValueTask<bool> MoveNextAsync(IAsyncEnumerator<EventDto?> next, CancellationToken ct)
    {
        try
        {
            return await next.MoveNextAsync();
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return false;
        }
    }
}
