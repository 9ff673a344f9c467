using Controller.Domain.Common;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Controller.Domain.Scheduling;

namespace Controller.Domain.Tests.Scheduling;

public sealed class EngineCountsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly BackoffPolicy Backoff = new(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(600), TimeSpan.FromSeconds(60));

    private static (Engine Engine, List<EngineInstance> Copies) EngineWith(int copies)
    {
        var engine = Engine.Create(Guid.NewGuid(), new EngineSpec("e", "img", new Resources(100, 100, 0, 0), 0, 0, 10, copies, new Dictionary<string, string>()), T0);
        var list = Enumerable.Range(0, copies).Select(_ => EngineInstance.Launch(Guid.NewGuid(), engine, Guid.NewGuid(), [], Guid.NewGuid(), T0)).ToList();
        return (engine, list);
    }

    [Test]
    public void Release_ManyCopiesFailInOneRound_BacksOffOneStep()
    {
        var (engine, copies) = EngineWith(5);
        foreach (var copy in copies)
        {
            copy.ContainerSeen("c", T0);
            copy.ContainerGone(T0);
        }

        EngineCounts.Release(copies, new Dictionary<Guid, Engine> { [engine.Id] = engine }, T0, Backoff);

        Assert.That(engine.ActiveInstances, Is.Zero);
        Assert.That(engine.ConsecutiveFailures, Is.EqualTo(1), "an agent that lost every container is one failure, not five");
        Assert.That(engine.BackoffUntil, Is.EqualTo(T0.AddSeconds(10)));
    }

    [Test]
    public void Release_CopiesLostWithTheirHost_NoBackoff()
    {
        var (engine, copies) = EngineWith(3);
        var left = copies.Where(c => c.MarkLost(T0)).ToList();

        EngineCounts.Release(left, new Dictionary<Guid, Engine> { [engine.Id] = engine }, T0, backoff: null);

        Assert.That(engine.ActiveInstances, Is.Zero);
        Assert.That(engine.InBackoffAt(T0), Is.False);
    }

    [Test]
    public void Release_EngineNotInCatalogue_IsSkipped()
    {
        var (_, copies) = EngineWith(1);
        copies[0].MarkLost(T0);

        Assert.That(EngineCounts.Release(copies, new Dictionary<Guid, Engine>(), T0, Backoff), Is.Empty);
    }

    [Test]
    public void Displace_CountedCopy_LeavesTheCountButKeepsRunningAndItsResources()
    {
        var (engine, copies) = EngineWith(1);
        var copy = copies[0];

        Assert.That(copy.Displace(), Is.True);
        EngineCounts.Release([copy], new Dictionary<Guid, Engine> { [engine.Id] = engine }, T0, Backoff);

        Assert.That(engine.ActiveInstances, Is.Zero);
        Assert.That(copy.IsUp, Is.True);
        Assert.That(copy.IsActive, Is.False);
        Assert.That(copy.HoldsResources, Is.True);
        Assert.That(copy.Displace(), Is.False, "displacing twice releases once");
        Assert.That(copy.RequestStop("replaced", T0), Is.False, "stopping a displaced copy releases nothing more");
    }

    [Test]
    public void Release_ACopyThatFailsBeforeRunningHealthy_BacksOff()
    {
        var (engine, copies) = EngineWith(1);
        copies[0].ContainerSeen("c", T0);
        copies[0].Register(T0.AddSeconds(1));
        copies[0].ContainerExited(1, T0.AddSeconds(59));

        EngineCounts.Release(copies, new Dictionary<Guid, Engine> { [engine.Id] = engine }, T0.AddSeconds(59), Backoff);

        Assert.That(engine.ConsecutiveFailures, Is.EqualTo(1), "it ran 58 s of the 60 that make a copy healthy: a crash loop");
        Assert.That(engine.InBackoffAt(T0.AddSeconds(60)), Is.True);
    }

    [Test]
    public void Release_ACopyThatHadRunHealthy_IsReplacedWithoutBackoff()
    {
        var (engine, copies) = EngineWith(2);
        foreach (var copy in copies)
        {
            copy.ContainerSeen("c", T0);
            copy.Register(T0.AddSeconds(1));
            copy.ContainerExited(137, T0.AddMinutes(10));
        }

        EngineCounts.Release(copies, new Dictionary<Guid, Engine> { [engine.Id] = engine }, T0.AddMinutes(10), Backoff);

        Assert.That(engine.ActiveInstances, Is.Zero, "the copies leave the count: replacements are launched");
        Assert.That(engine.ConsecutiveFailures, Is.Zero);
        Assert.That(engine.InBackoffAt(T0.AddMinutes(10)), Is.False);
    }

    [Test]
    public void BecomesHealthyAt_TrueOnceWhenTheCopyCompletesItsHealthyTime()
    {
        var (_, copies) = EngineWith(1);
        var copy = copies[0];
        var healthyAfter = TimeSpan.FromSeconds(60);
        copy.ContainerSeen("c", T0);
        Assert.That(copy.BecomesHealthyAt(T0, healthyAfter), Is.False, "not running yet");
        Assert.That(copy.BecomesHealthyAt(T0, TimeSpan.Zero), Is.True, "with no time asked for, coming up is enough");
        copy.Register(T0);

        var beats = new List<bool>();
        for (var second = 10; second <= 120; second += 10)
        {
            var now = T0.AddSeconds(second);
            beats.Add(copy.BecomesHealthyAt(now, healthyAfter));
            copy.Heartbeat(false, now);
        }

        Assert.That(beats.Count(b => b), Is.EqualTo(1));
        Assert.That(beats.IndexOf(true), Is.EqualTo(5), "the heartbeat at 60 s");
    }
}
