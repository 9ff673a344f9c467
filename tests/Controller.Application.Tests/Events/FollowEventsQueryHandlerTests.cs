using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Controller.Application.Events.Queries.FollowEvents;
using Controller.Domain.Events;
using Microsoft.Extensions.Options;
using Moq;

namespace Controller.Application.Tests.Events;

/// <summary>The live follower: starts after the cursor (or the latest event), reads on from the last event it sent, and wakes on a signal.</summary>
public sealed class FollowEventsQueryHandlerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static ClusterEvent Event(long sequence)
    {
        var e = ClusterEvent.Create(ClusterEventTypes.HostLost, T0, $"#{sequence}");
        typeof(ClusterEvent).GetProperty(nameof(ClusterEvent.Sequence))!.SetValue(e, sequence);
        return e;
    }

    private sealed class Signal : IEventSignal
    {
        private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Notify() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

        public Task NextNotification() => _next.Task;
    }

    [Test]
    public async Task NoCursor_StartsAfterTheLatest_ThenYieldsWhatFollows_InOrder_WokenBySignal()
    {
        var stored = new List<ClusterEvent> { Event(1), Event(2) };
        var log = new Mock<IEventLog>();
        var reads = new List<long?>();
        log.Setup(l => l.ListAsync(It.IsAny<EventFilter>(), It.IsAny<long?>(), It.IsAny<int>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((EventFilter _, long? after, int limit, CancellationToken _) =>
            {
                lock (stored)
                {
                    reads.Add(after);
                    return after is null ? stored.TakeLast(limit).ToList() : stored.Where(e => e.Sequence > after).Take(limit).ToList();
                }
            });
        var signal = new Signal();
        var options = Options.Create(new EventOptions { StreamPollMilliseconds = 60_000, StreamKeepAliveSeconds = 3600 });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var stream = await new FollowEventsQueryHandler(log.Object, signal, options)
            .Handle(new FollowEventsQuery(null, [], null, null, null), cts.Token);
        Assert.That(stream.StartsAfter, Is.EqualTo(2));

        var received = new List<long>();
        var reader = Task.Run(async () =>
        {
            await foreach (var e in stream.Events.WithCancellation(cts.Token))
            {
                received.Add(e!.EventId);
                if (received.Count == 3)
                {
                    return;
                }
            }
        });

        // Nothing new yet: the follower waits on the signal (the poll is a minute away).
        await Task.Delay(200);
        Assert.That(received, Is.Empty);
        lock (stored)
        {
            stored.AddRange([Event(3), Event(5), Event(6)]);
        }

        signal.Notify();
        await reader;

        Assert.That(received, Is.EqualTo(new long[] { 3, 5, 6 }));
        Assert.That(reads.Skip(1).Where(r => r is not null), Is.All.GreaterThanOrEqualTo(2));
    }
}
