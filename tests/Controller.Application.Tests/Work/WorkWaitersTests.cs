using Controller.Application.Common.Interfaces;
using Controller.Application.Work;
using Microsoft.Extensions.Time.Testing;

namespace Controller.Application.Tests.Work;

/// <summary>Held getwork calls: woken one per task, all on a change of their engine, answered at shutdown, bounded.</summary>
public sealed class WorkWaitersTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(20);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly Guid _engine = Guid.NewGuid();
    private readonly Guid _other = Guid.NewGuid();
    private readonly Guid _host = Guid.NewGuid();

    [Test]
    public async Task OneTask_WakesOneCall_TheOldest_NotTheHerd()
    {
        var waiters = new WorkWaiters(_clock);
        var first = waiters.WaitAsync(_engine, _host, Long, waiters.Ticket(), CancellationToken.None);
        var second = waiters.WaitAsync(_engine, _host, Long, waiters.Ticket(), CancellationToken.None);
        var elsewhere = waiters.WaitAsync(_other, _host, Long, waiters.Ticket(), CancellationToken.None);

        waiters.Wake(_engine, tasks: 1);

        Assert.That(await first, Is.EqualTo(WaitOutcome.Woken));
        Assert.That((second.IsCompleted, elsewhere.IsCompleted), Is.EqualTo((false, false)));
        Assert.That(waiters.Held, Is.EqualTo(2));
        waiters.WakeAll(_engine);
        Assert.That(await second, Is.EqualTo(WaitOutcome.Changed));
        Assert.That(elsewhere.IsCompleted, Is.False, "another engine's calls sleep on");
    }

    [Test]
    public async Task AHostThatStopsTakingWork_WakesItsCallsOnly()
    {
        var waiters = new WorkWaiters(_clock);
        var here = waiters.WaitAsync(_engine, _host, Long, waiters.Ticket(), CancellationToken.None);
        var elsewhere = waiters.WaitAsync(_engine, Guid.NewGuid(), Long, waiters.Ticket(), CancellationToken.None);

        waiters.WakeHost(_host);

        Assert.That(await here, Is.EqualTo(WaitOutcome.Changed));
        Assert.That(elsewhere.IsCompleted, Is.False);
    }

    [Test]
    public async Task TheTimeGiven_Passes_TimedOut_AndTheCallIsNoLongerHeld()
    {
        var waiters = new WorkWaiters(_clock);
        var call = waiters.WaitAsync(_engine, _host, TimeSpan.FromSeconds(5), waiters.Ticket(), CancellationToken.None);

        _clock.Advance(TimeSpan.FromSeconds(4));
        Assert.That(call.IsCompleted, Is.False);
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.That(await call, Is.EqualTo(WaitOutcome.TimedOut));
        Assert.That(waiters.Held, Is.Zero);
    }

    [Test]
    public async Task Shutdown_AnswersEveryHeldCall_AndHoldsNoNewOne()
    {
        var waiters = new WorkWaiters(_clock);
        var held = waiters.WaitAsync(_engine, _host, Long, waiters.Ticket(), CancellationToken.None);

        waiters.Stop();

        Assert.That(await held, Is.EqualTo(WaitOutcome.NotHeld));
        Assert.That(await waiters.WaitAsync(_other, _host, Long, waiters.Ticket(), CancellationToken.None), Is.EqualTo(WaitOutcome.NotHeld));
    }

    [Test]
    public async Task PastTheLimit_ACallIsNotHeld()
    {
        var waiters = new WorkWaiters(_clock);
        var held = Enumerable.Range(0, WorkWaiters.MaxHeld).Select(_ => waiters.WaitAsync(_engine, _host, Long, waiters.Ticket(), CancellationToken.None)).ToList();

        Assert.That(await waiters.WaitAsync(_other, _host, Long, waiters.Ticket(), CancellationToken.None), Is.EqualTo(WaitOutcome.NotHeld));
        waiters.WakeAll(_engine);
        Assert.That(await Task.WhenAll(held), Has.All.EqualTo(WaitOutcome.Changed));
        Assert.That(waiters.Held, Is.Zero);
    }

    [Test]
    public void TheCallerGoesAway_TheWaitIsCancelled()
    {
        var waiters = new WorkWaiters(_clock);
        using var gone = new CancellationTokenSource();
        var call = waiters.WaitAsync(_engine, _host, Long, waiters.Ticket(), gone.Token);

        gone.Cancel();

        Assert.That(async () => await call, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(waiters.Held, Is.Zero);
    }

    [Test]
    public async Task AppliedWakeUps_TasksWakeAsManyCalls_AChangeEveryCallOfItsEngineOrHost_ToDecideOnTheRows()
    {
        var waiters = new WorkWaiters(_clock);
        var other = Guid.NewGuid();
        var calls = Enumerable.Range(0, 3).Select(_ => waiters.WaitAsync(_engine, _host, Long, waiters.Ticket(), CancellationToken.None)).ToList();
        var elsewhere = waiters.WaitAsync(other, Guid.NewGuid(), Long, waiters.Ticket(), CancellationToken.None);

        waiters.Apply(WorkWakeups.Tasks(new Dictionary<Guid, int> { [_engine] = 2 }));
        Assert.That(await Task.WhenAll(calls.Take(2)), Has.All.EqualTo(WaitOutcome.Woken));
        Assert.That(calls[2].IsCompleted, Is.False, "two tasks wake two calls");

        waiters.Apply(new WorkWakeups(new Dictionary<Guid, int>(), [], [_host]));
        Assert.That(await calls[2], Is.EqualTo(WaitOutcome.Changed));
        Assert.That(elsewhere.IsCompleted, Is.False);

        waiters.WakeEveryone();
        Assert.That(await elsewhere, Is.EqualTo(WaitOutcome.Changed), "after missed notifications every call asks again");
        Assert.That(waiters.Held, Is.Zero);
    }

    [Test]
    public async Task AWakeUpBetweenTheAskAndTheWait_IsNotMissed()
    {
        var waiters = new WorkWaiters(_clock);
        var beforeAsk = waiters.Ticket();
        waiters.Wake(_engine, tasks: 1); // a task stored while the call asked the database, before it waits
        var hostTicket = waiters.Ticket();
        waiters.WakeHost(_host);

        Assert.That(await waiters.WaitAsync(_engine, Guid.NewGuid(), Long, beforeAsk, CancellationToken.None), Is.EqualTo(WaitOutcome.Woken));
        Assert.That(await waiters.WaitAsync(_other, _host, Long, hostTicket, CancellationToken.None), Is.EqualTo(WaitOutcome.Changed));
        var unrelated = waiters.WaitAsync(_other, Guid.NewGuid(), Long, beforeAsk, CancellationToken.None);
        Assert.That(unrelated.IsCompleted, Is.False, "a wake-up of another engine and host is not this call's");
        Assert.That(waiters.Held, Is.EqualTo(1));
    }
}
