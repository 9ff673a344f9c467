using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Controller.Domain.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Controller.Application.Events;

/// <summary>
/// The feed as this replica's live followers see it: one reader per replica polls the database (woken at once when
/// this replica stores events, else every <see cref="EventOptions.StreamPollMilliseconds"/>) and keeps the newest
/// <see cref="Capacity"/> events in memory; every follower reads them from here, so a thousand followers cost the
/// database what one does. A follower behind the window (a reconnect with an old <c>Last-Event-ID</c>) reads the
/// database itself until it has caught up. The reader runs only while someone follows.
/// </summary>
public sealed class EventFeed(IServiceScopeFactory scopes, IEventSignal signal, IOptions<EventOptions> options, ILogger<EventFeed> logger)
{
    /// <summary>How many of the newest events are kept in memory.</summary>
    public const int Capacity = 4096;

    private const int PageSize = 500;

    private readonly Lock _lock = new();
    private readonly List<ClusterEvent> _recent = [];
    private TaskCompletionSource _changed = NewSignal();
    private TaskCompletionSource _followed = NewSignal();
    private int _followers;

    // Every committed event with a sequence in (_floor, _head] is in _recent; -1 while nobody follows.
    private long _floor = -1;
    private long _head = -1;

    /// <summary>What a follower finds in memory after its cursor.</summary>
    /// <param name="Covered">False when the cursor is older than the window (or nobody has filled it yet): read the database.</param>
    /// <param name="Events">The events after the cursor that match the filter, in order.</param>
    /// <param name="Position">Every event up to this sequence has been looked at: the follower's next cursor.</param>
    /// <param name="Floor">The window starts after this sequence (-1: not filled yet).</param>
    /// <param name="More">More events after <paramref name="Position"/> are already in memory.</param>
    /// <param name="Changed">Completes when the window next moves.</param>
    public sealed record Window(bool Covered, IReadOnlyList<ClusterEvent> Events, long Position, long Floor, bool More, Task Changed);

    /// <summary>Live followers on this replica.</summary>
    public int Followers => Volatile.Read(ref _followers);

    /// <summary>Counts a follower until disposed; the first one starts the reader.</summary>
    public IDisposable Follow()
    {
        lock (_lock)
        {
            if (++_followers == 1)
            {
                _followed.TrySetResult();
            }
        }

        return new Following(this);
    }

    /// <summary>Up to <paramref name="max"/> events after <paramref name="after"/> that match <paramref name="filter"/>.</summary>
    public Window Read(long after, EventFilter filter, int max)
    {
        lock (_lock)
        {
            if (_floor < 0 || after < _floor)
            {
                return new Window(false, [], after, _floor, false, _changed.Task);
            }

            var matching = new List<ClusterEvent>();
            var position = Math.Max(after, _head);
            for (var i = FirstAfter(after); i < _recent.Count; i++)
            {
                var e = _recent[i];
                if (!Matches(filter, e))
                {
                    continue;
                }

                if (matching.Count == max)
                {
                    position = matching[^1].Sequence;
                    return new Window(true, matching, position, _floor, true, _changed.Task);
                }

                matching.Add(e);
            }

            return new Window(true, matching, position, _floor, false, _changed.Task);
        }
    }

    /// <summary>The reader: polls while anyone follows, until <paramref name="stopping"/>.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        var poll = TimeSpan.FromMilliseconds(options.Value.StreamPollMilliseconds);
        while (!stopping.IsCancellationRequested)
        {
            Task? idle = null;
            lock (_lock)
            {
                if (_followers == 0)
                {
                    // Nobody follows: forget the window (a later follower catches up from the database) and sleep.
                    _recent.Clear();
                    _floor = _head = -1;
                    _followed = NewSignal();
                    idle = _followed.Task;
                }
            }

            if (idle is not null)
            {
                await idle.WaitAsync(stopping);
                continue;
            }

            var woken = signal.NextNotification();
            try
            {
                await PollAsync(stopping);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
            {
                logger.LogWarning(e, "Reading the event feed failed; retrying in {Poll}", poll);
            }

            try
            {
                await woken.WaitAsync(poll, stopping);
            }
            catch (TimeoutException)
            {
                // Poll: another replica may have written.
            }
        }
    }

    /// <summary>Reads every event after the window's head into it and wakes the followers.</summary>
    public async Task PollAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var log = scope.ServiceProvider.GetRequiredService<IEventLog>();
        if (Volatile.Read(ref _head) < 0)
        {
            var latest = await log.ListAsync(EventFilter.All, after: null, limit: 1, cancellationToken);
            Append([], latest is [var e] ? e.Sequence : 0);
        }

        while (true)
        {
            var page = await log.ListAsync(EventFilter.All, Volatile.Read(ref _head), PageSize, cancellationToken);
            if (page.Count > 0)
            {
                Append(page, page[^1].Sequence);
            }

            if (page.Count < PageSize)
            {
                return;
            }
        }
    }

    private void Append(IReadOnlyList<ClusterEvent> page, long head)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            if (_floor < 0)
            {
                _floor = head;
            }

            _recent.AddRange(page);
            var excess = _recent.Count - Capacity;
            if (excess > 0)
            {
                _floor = _recent[excess - 1].Sequence;
                _recent.RemoveRange(0, excess);
            }

            _head = head;
            changed = _changed;
            _changed = NewSignal();
        }

        changed.TrySetResult();
    }

    private int FirstAfter(long after)
    {
        int lo = 0, hi = _recent.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (_recent[mid].Sequence <= after)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>The in-memory form of the filter <see cref="IEventLog.ListAsync"/> applies in the database.</summary>
    public static bool Matches(EventFilter filter, ClusterEvent e) =>
        (filter.Types.Count == 0 || filter.Types.Contains(e.Type))
        && (filter.HostId is not { } host || e.HostId == host)
        && (filter.EngineId is not { } engine || e.EngineId == engine)
        && (filter.InstanceId is not { } instance || e.InstanceId == instance);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Following(EventFeed feed) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                lock (feed._lock)
                {
                    feed._followers--;
                }
            }
        }
    }
}
