using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Controller.Application.Events;
using Controller.Application.Events.Queries.FollowEvents;
using Controller.Domain.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moq;

namespace Controller.Application.Tests.Events;

/// <summary>
/// The live follower and the replica's one reader of the feed: a follower starts after its cursor (or the latest event),
/// catches up from the database when behind, then reads from memory; however many follow, the database is read by one.
/// </summary>
public sealed class FollowEventsQueryHandlerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static ClusterEvent Event(long sequence, Guid? hostId = null)
    {
        var e = ClusterEvent.Create(ClusterEventTypes.HostLost, T0, $"#{sequence}", hostId);
        typeof(ClusterEvent).GetProperty(nameof(ClusterEvent.Sequence))!.SetValue(e, sequence);
        return e;
    }

    private sealed class Signal : IEventSignal
    {
        private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Notify() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

        public Task NextNotification() => _next.Task;
    }

    /// <summary>A stored feed behind a mocked <see cref="IEventLog"/> that applies the filter and counts its reads.</summary>
    private sealed class Store
    {
        private readonly List<ClusterEvent> _events = [];

        public Store(IEnumerable<ClusterEvent> events) => _events.AddRange(events);

        public int Reads;

        public Mock<IEventLog> Log { get; } = new();

        public void Add(params ClusterEvent[] events)
        {
            lock (_events)
            {
                _events.AddRange(events);
            }
        }

        public IEventLog Setup()
        {
            Log.Setup(l => l.ListAsync(It.IsAny<EventFilter>(), It.IsAny<long?>(), It.IsAny<int>(), It.IsAny<CancellationToken>()))
                .ReturnsAsync((EventFilter filter, long? after, int limit, CancellationToken _) =>
                {
                    Interlocked.Increment(ref Reads);
                    lock (_events)
                    {
                        var matching = _events.Where(e => EventFeed.Matches(filter, e));
                        return after is null ? matching.TakeLast(limit).ToList() : matching.Where(e => e.Sequence > after).Take(limit).ToList();
                    }
                });
            return Log.Object;
        }
    }

    private sealed class Harness : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _reader;

        public Harness(Store store, int pollMilliseconds = 60_000)
        {
            var log = store.Setup();
            Options = Microsoft.Extensions.Options.Options.Create(new EventOptions { StreamPollMilliseconds = pollMilliseconds, StreamKeepAliveSeconds = 3600 });
            Feed = new EventFeed(new Scopes(log), Signal, Options, NullLogger<EventFeed>.Instance);
            Log = log;
            _reader = Feed.RunAsync(_stop.Token);
        }

        public Signal Signal { get; } = new();

        public IOptions<EventOptions> Options { get; }

        public EventFeed Feed { get; }

        public IEventLog Log { get; }

        public Task<EventStream> FollowAsync(long? after, CancellationToken ct, Guid? hostId = null) =>
            new FollowEventsQueryHandler(Log, Feed, Options).Handle(new FollowEventsQuery(after, [], hostId, null, null), ct).AsTask();

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAny(_reader, Task.Delay(5000));
            _stop.Dispose();
        }
    }

    /// <summary>Scopes that resolve the one mocked log.</summary>
    private sealed class Scopes(IEventLog log) : IServiceScopeFactory, IServiceScope, IServiceProvider
    {
        public IServiceScope CreateScope() => this;

        public IServiceProvider ServiceProvider => this;

        public object? GetService(Type serviceType) => serviceType == typeof(IEventLog) ? log : null;

        public void Dispose()
        {
        }
    }

    private static Task<List<long>> Take(EventStream stream, int count, CancellationToken ct) => Task.Run(async () =>
    {
        var received = new List<long>();
        await foreach (var e in stream.Events.WithCancellation(ct))
        {
            received.Add(e!.EventId);
            if (received.Count == count)
            {
                break;
            }
        }

        return received;
    }, ct);

    [Test]
    public async Task NoCursor_StartsAfterTheLatest_ThenYieldsWhatFollows_InOrder_WokenBySignal()
    {
        var store = new Store([Event(1), Event(2)]);
        await using var harness = new Harness(store);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var stream = await harness.FollowAsync(null, cts.Token);
        Assert.That(stream.StartsAfter, Is.EqualTo(2));

        var reader = Take(stream, 3, cts.Token);

        // Nothing new yet: the follower waits (the poll is a minute away).
        await Task.Delay(200);
        Assert.That(reader.IsCompleted, Is.False);
        store.Add(Event(3), Event(5), Event(6));
        harness.Signal.Notify();

        Assert.That(await reader, Is.EqualTo(new long[] { 3, 5, 6 }));
    }

    [Test]
    public async Task FiftyFollowers_TheDatabaseIsReadByOneReader_NotByEachFollower()
    {
        var store = new Store([Event(1)]);
        await using var harness = new Harness(store, pollMilliseconds: 50);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var readers = new List<Task<List<long>>>();
        for (var i = 0; i < 50; i++)
        {
            readers.Add(Take(await harness.FollowAsync(1, cts.Token), 2, cts.Token));
        }

        // Every follower caught up; from now on the reader polls every 50 ms and nobody else reads.
        await Task.Delay(300);
        var before = Volatile.Read(ref store.Reads);
        await Task.Delay(1000);
        var perSecond = Volatile.Read(ref store.Reads) - before;
        Assert.That(perSecond, Is.InRange(5, 25), "about one read per poll, whatever the number of followers");

        store.Add(Event(2), Event(3));
        var received = await Task.WhenAll(readers);
        Assert.That(received, Has.All.EqualTo(new long[] { 2, 3 }));
        Assert.That(harness.Feed.Followers, Is.EqualTo(0));
    }

    [Test]
    public async Task FollowerBehindTheWindow_CatchesUpFromTheDatabase_ThenFromMemory_NothingSkippedOrTwice()
    {
        // More than the window holds, and a follower that starts at the beginning.
        var count = EventFeed.Capacity + 700;
        var store = new Store(Enumerable.Range(1, count).Select(i => Event(i)));
        await using var harness = new Harness(store, pollMilliseconds: 50);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var first = harness.Feed.Follow();
        await harness.Feed.PollAsync(cts.Token);

        var reader = Take(await harness.FollowAsync(0, cts.Token), count + 2, cts.Token);
        await Task.Delay(200);
        store.Add(Event(count + 1), Event(count + 2));

        Assert.That(await reader, Is.EqualTo(Enumerable.Range(1, count + 2).Select(i => (long)i)));
    }

    [Test]
    public async Task FilteredFollower_GetsOnlyItsEvents_AndItsCursorMovesOverTheOthers()
    {
        var host = Guid.NewGuid();
        var store = new Store([Event(1)]);
        await using var harness = new Harness(store, pollMilliseconds: 50);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var reader = Take(await harness.FollowAsync(null, cts.Token, host), 2, cts.Token);
        store.Add(Event(2), Event(3, host), Event(4));
        await Task.Delay(200);
        store.Add(Event(5), Event(6, host));

        Assert.That(await reader, Is.EqualTo(new long[] { 3, 6 }));
    }

    [Test]
    public void Window_BeforeTheFirstPoll_IsNotCovered()
    {
        var feed = new EventFeed(Mock.Of<IServiceScopeFactory>(), new Signal(), Options.Create(new EventOptions()), NullLogger<EventFeed>.Instance);
        var window = feed.Read(0, EventFilter.All, 10);
        Assert.That((window.Covered, window.Floor), Is.EqualTo((false, -1L)));
    }
}
