using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Controller.Application.Events.Models;

namespace Controller.Api.Contracts;

/// <summary>The event feed on the wire as Server-Sent Events (<c>GET /event/stream</c> and the dashboard's feed).</summary>
public static class EventStreams
{
    /// <summary>The name of an idle stream's keep-alive event (its data is empty).</summary>
    public const string KeepAliveEvent = "keepalive";

    /// <summary>How long a browser waits before it reconnects a dropped stream (sent as <c>retry:</c> when it opens).</summary>
    public static readonly TimeSpan ReconnectAfter = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The feed as Server-Sent Events: id = eventId, event = type, data = the event as JSON; a keep-alive first (so the
    /// headers leave at once) and between. Ends quietly when the caller's token stops being valid.
    /// </summary>
    public static IResult Of(IAsyncEnumerable<EventDto?> events, CancellationToken endsWhen) =>
        TypedResults.ServerSentEvents(Items(events, endsWhen));

    private static async IAsyncEnumerable<SseItem<string>> Items(IAsyncEnumerable<EventDto?> events, [EnumeratorCancellation] CancellationToken ct)
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
