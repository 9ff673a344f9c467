using System.Runtime.CompilerServices;
using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Controller.Application.Events.Models;
using Mediator;
using Microsoft.Extensions.Options;

namespace Controller.Application.Events.Queries.FollowEvents;

/// <summary>
/// Reads the feed after a cursor, then waits: woken at once when this replica stores events, and polls every
/// <see cref="EventOptions.StreamPollMilliseconds"/> for those of other replicas. The cursor only moves forward over
/// committed events, which writers commit in sequence order, so nothing is skipped or sent twice.
/// </summary>
public sealed class FollowEventsQueryHandler(IEventLog events, IEventSignal signal, IOptions<EventOptions> options)
    : IQueryHandler<FollowEventsQuery, EventStream>
{
    private const int PageSize = 200;

    public async ValueTask<EventStream> Handle(FollowEventsQuery query, CancellationToken cancellationToken)
    {
        // Without a cursor, from now on: after the latest event of the whole feed.
        var start = query.After ?? ((await events.ListAsync(EventFilter.All, after: null, limit: 1, cancellationToken)) is [var latest] ? latest.Sequence : 0);
        var filter = EventFilter.Of(query.Types, query.HostId, query.EngineId, query.InstanceId);
        return new EventStream(start, FollowAsync(filter, start, cancellationToken));
    }

    private async IAsyncEnumerable<EventDto?> FollowAsync(EventFilter filter, long after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var o = options.Value;
        var poll = TimeSpan.FromMilliseconds(o.StreamPollMilliseconds);
        var keepAlive = TimeSpan.FromSeconds(o.StreamKeepAliveSeconds);
        // Real time, not the injected clock: a follower waits on the wall clock whatever the cluster's clock says.
        var quietSince = System.Diagnostics.Stopwatch.GetTimestamp();
        while (!cancellationToken.IsCancellationRequested)
        {
            var woken = signal.NextNotification();
            var page = await events.ListAsync(filter, after, PageSize, cancellationToken);
            foreach (var e in page)
            {
                after = e.Sequence;
                yield return EventDto.From(e);
            }

            if (page.Count == PageSize)
            {
                continue;
            }

            if (page.Count > 0)
            {
                quietSince = System.Diagnostics.Stopwatch.GetTimestamp();
            }
            else if (System.Diagnostics.Stopwatch.GetElapsedTime(quietSince) >= keepAlive)
            {
                quietSince = System.Diagnostics.Stopwatch.GetTimestamp();
                yield return null;
            }

            try
            {
                await woken.WaitAsync(poll, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Poll: another replica may have written.
            }
        }
    }
}
