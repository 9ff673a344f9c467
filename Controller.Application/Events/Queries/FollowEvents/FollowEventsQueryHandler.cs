using System.Diagnostics;
using System.Runtime.CompilerServices;
using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Controller.Application.Events.Models;
using Mediator;
using Microsoft.Extensions.Options;

namespace Controller.Application.Events.Queries.FollowEvents;

/// <summary>
/// Follows the feed after a cursor: from the replica's <see cref="EventFeed"/> in memory once caught up, from the
/// database while behind it. The cursor only moves forward over committed events, which writers commit in sequence
/// order, so nothing is skipped or sent twice.
/// </summary>
public sealed class FollowEventsQueryHandler(IEventLog events, EventFeed feed, IOptions<EventOptions> options)
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
        using var following = feed.Follow();
        var keepAlive = TimeSpan.FromSeconds(options.Value.StreamKeepAliveSeconds);
        // Real time, not the injected clock: a follower waits on the wall clock whatever the cluster's clock says.
        var quietSince = Stopwatch.GetTimestamp();
        while (!cancellationToken.IsCancellationRequested)
        {
            var window = feed.Read(after, filter, PageSize);
            var sent = window.Events;
            var more = window.More;
            if (window.Covered)
            {
                after = window.Position;
            }
            else
            {
                // Behind the window, or nobody has filled it yet: the database. A short page means nothing else
                // matches up to the window's floor, which was committed before this read.
                sent = await events.ListAsync(filter, after, PageSize, cancellationToken);
                more = sent.Count == PageSize;
                after = sent.Count > 0 ? sent[^1].Sequence : after;
                if (!more && window.Floor > after)
                {
                    after = window.Floor;
                    more = true;
                }
            }

            foreach (var e in sent)
            {
                yield return EventDto.From(e);
            }

            if (more)
            {
                continue;
            }

            if (sent.Count > 0)
            {
                quietSince = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetElapsedTime(quietSince) >= keepAlive)
            {
                quietSince = Stopwatch.GetTimestamp();
                yield return null;
            }

            try
            {
                await window.Changed.WaitAsync(keepAlive - Stopwatch.GetElapsedTime(quietSince) is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Idle: the keep-alive is due.
            }
        }
    }
}
