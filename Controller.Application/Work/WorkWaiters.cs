using System.Diagnostics.Metrics;
using Controller.Application.Common.Interfaces;

namespace Controller.Application.Work;

/// <summary>How a held getwork call's wait ended.</summary>
public enum WaitOutcome
{
    /// <summary>A task arrived for its engine: ask again.</summary>
    Woken,

    /// <summary>Its engine's copies or its host changed (or changes may have been missed): ask again, deciding on the rows.</summary>
    Changed,

    /// <summary>The time given passed: ask again (the fallback for what this replica cannot see), or answer.</summary>
    TimedOut,

    /// <summary>The replica holds as many calls as it may, or is shutting down: answer now.</summary>
    NotHeld,
}

/// <summary>
/// The getwork calls this replica holds (long polls), by engine. Tasks queued wake as many of their engine's calls as
/// there are tasks, oldest first (one task wakes one call, not all of them); a change to the engine's copies wakes them
/// all (one of them may have to stop), a host that takes no more work those on it; shutting down answers every one. A held call costs no database query and no
/// connection while it waits.
/// </summary>
public sealed class WorkWaiters
{
    /// <summary>Calls held at once on one replica; beyond it a call is answered at once, as without a wait.</summary>
    public const int MaxHeld = 10_000;

    private readonly TimeProvider _clock;
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, LinkedList<HeldCall>> _byEngine = [];

    // When each engine, host (and everyone) was last woken, in the order of a sequence: a call that asked after a
    // ticket and finds a wake-up since does not wait for it (it came between its ask and its wait).
    private readonly Dictionary<Guid, long> _tasksWokenAt = [];
    private readonly Dictionary<Guid, long> _changedAt = [];
    private long _sequence;
    private long _everyoneWokenAt;
    private int _held;
    private bool _stopping;

    /// <summary>Remembered wake-ups beyond which they are forgotten (every call then counts as woken once).</summary>
    private const int MaxRemembered = 100_000;

    /// <param name="clock">The controller's clock (the wait's end).</param>
    /// <param name="meters">Where <c>controller_getwork_held</c> is published (none in unit tests).</param>
    public WorkWaiters(TimeProvider clock, IMeterFactory? meters = null)
    {
        _clock = clock;
        meters?.Create(Common.Telemetry.ControllerMetrics.MeterName)
            .CreateObservableGauge("controller.getwork.held", () => Held, "{call}", "getwork calls held (long polls) on this replica.");
    }

    /// <summary>Calls held now.</summary>
    public int Held => Volatile.Read(ref _held);

    /// <summary>Taken before a call asks the database: its wait then also counts the wake-ups that came while it asked.</summary>
    public long Ticket()
    {
        lock (_lock)
        {
            return _sequence;
        }
    }

    /// <summary>
    /// Holds a call of a copy of <paramref name="engineId"/> on <paramref name="hostId"/> until it is woken, the time
    /// passes, or the caller goes; at once when it was woken since <paramref name="ticket"/> (taken before its ask).
    /// </summary>
    public async Task<WaitOutcome> WaitAsync(Guid engineId, Guid hostId, TimeSpan timeout, long ticket, CancellationToken cancellationToken)
    {
        var woken = new TaskCompletionSource<WaitOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        LinkedListNode<HeldCall> node;
        lock (_lock)
        {
            if (_stopping || _held >= MaxHeld)
            {
                return WaitOutcome.NotHeld;
            }

            if (WokenSince(engineId, hostId, ticket) is { } already)
            {
                return already;
            }

            if (!_byEngine.TryGetValue(engineId, out var waiting))
            {
                _byEngine[engineId] = waiting = new LinkedList<HeldCall>();
            }

            node = waiting.AddLast(new HeldCall(hostId, woken));
            _held++;
        }

        try
        {
            using var timer = new CancellationTokenSource(timeout, _clock);
            using var both = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken);
            using (both.Token.Register(() => woken.TrySetCanceled()))
            {
                try
                {
                    return await woken.Task;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return WaitOutcome.TimedOut;
                }
            }
        }
        finally
        {
            lock (_lock)
            {
                if (node.List is { } list)
                {
                    list.Remove(node);
                    if (list.Count == 0)
                    {
                        _byEngine.Remove(engineId);
                    }
                }

                _held--;
            }
        }
    }

    /// <summary>What a commit (here or on another replica) changed for held calls: wakes those it concerns.</summary>
    public void Apply(WorkWakeups wakeups)
    {
        foreach (var (engineId, tasks) in wakeups.TasksQueued)
        {
            Wake(engineId, tasks);
        }

        foreach (var engineId in wakeups.Engines)
        {
            WakeAll(engineId);
        }

        foreach (var hostId in wakeups.Hosts)
        {
            WakeHost(hostId);
        }
    }

    /// <summary>Changes may have been missed (notifications dropped): every held call asks again.</summary>
    public void WakeEveryone()
    {
        lock (_lock)
        {
            _everyoneWokenAt = ++_sequence;
            ReleaseEveryone(WaitOutcome.Changed);
        }
    }

    /// <summary>Tasks for the engine arrived (or came back): wakes up to <paramref name="tasks"/> of its held calls, oldest first.</summary>
    public void Wake(Guid engineId, int tasks)
    {
        lock (_lock)
        {
            Remember(_tasksWokenAt, engineId);
            Release(engineId, tasks, WaitOutcome.Woken);
        }
    }

    /// <summary>The engine's copies changed (one stopped, the count went down): every held call of it asks again.</summary>
    public void WakeAll(Guid engineId)
    {
        lock (_lock)
        {
            Remember(_changedAt, engineId);
            Release(engineId, int.MaxValue, WaitOutcome.Changed);
        }
    }

    /// <summary>The host no longer takes work (it drains or terminates): its held calls ask again.</summary>
    public void WakeHost(Guid hostId)
    {
        lock (_lock)
        {
            Remember(_changedAt, hostId);
            foreach (var (engineId, waiting) in _byEngine.ToList())
            {
                for (var node = waiting.First; node is not null;)
                {
                    var next = node.Next;
                    if (node.Value.HostId == hostId)
                    {
                        waiting.Remove(node);
                        node.Value.Woken.TrySetResult(WaitOutcome.Changed);
                    }

                    node = next;
                }

                if (waiting.Count == 0)
                {
                    _byEngine.Remove(engineId);
                }
            }
        }
    }

    /// <summary>The replica shuts down: every held call is answered now, and no new one is held.</summary>
    public void Stop()
    {
        lock (_lock)
        {
            _stopping = true;
            ReleaseEveryone(WaitOutcome.NotHeld);
        }
    }

    /// <summary>Under the lock: every held call ends its wait with <paramref name="result"/>.</summary>
    private void ReleaseEveryone(WaitOutcome result)
    {
        foreach (var engineId in _byEngine.Keys.ToList())
        {
            Release(engineId, int.MaxValue, result);
        }
    }

    private void Release(Guid engineId, int count, WaitOutcome result)
    {
        lock (_lock)
        {
            if (!_byEngine.TryGetValue(engineId, out var waiting))
            {
                return;
            }

            for (var released = 0; released < count && waiting.First is { } first; released++)
            {
                waiting.RemoveFirst();
                first.Value.Woken.TrySetResult(result);
            }

            if (waiting.Count == 0)
            {
                _byEngine.Remove(engineId);
            }
        }
    }

    /// <summary>Under the lock: how a call that took <paramref name="ticket"/> was woken since, if it was.</summary>
    private WaitOutcome? WokenSince(Guid engineId, Guid hostId, long ticket)
    {
        if (_everyoneWokenAt > ticket || _changedAt.GetValueOrDefault(engineId) > ticket || _changedAt.GetValueOrDefault(hostId) > ticket)
        {
            return WaitOutcome.Changed;
        }

        return _tasksWokenAt.GetValueOrDefault(engineId) > ticket ? WaitOutcome.Woken : null;
    }

    /// <summary>Under the lock: the engine or host was woken now (bounded: past the limit all is forgotten, and everyone counts as woken).</summary>
    private void Remember(Dictionary<Guid, long> wokenAt, Guid id)
    {
        if (wokenAt.Count >= MaxRemembered && !wokenAt.ContainsKey(id))
        {
            _tasksWokenAt.Clear();
            _changedAt.Clear();
            _everyoneWokenAt = ++_sequence;
        }

        wokenAt[id] = ++_sequence;
    }

    private sealed record HeldCall(Guid HostId, TaskCompletionSource<WaitOutcome> Woken);
}
