using Controller.Domain.Common;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Controller.Domain.Scheduling;

namespace Controller.Domain.Tests.Scheduling;

public sealed class EngineCountsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly BackoffPolicy Backoff = new(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(600));

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
}
