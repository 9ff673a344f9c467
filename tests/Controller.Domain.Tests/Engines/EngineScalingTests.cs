using Controller.Domain.Common;
using Controller.Domain.Engines;

namespace Controller.Domain.Tests.Engines;

public sealed class EngineScalingTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static Engine QueueEngine(int min = 1, int max = 10, int target = 5, int cooldown = 60) =>
        Engine.Create(Guid.NewGuid(), new EngineSpec("asr", "registry/asr:1", new Resources(1000, 1024, 0, 0), 0, min, max, 0,
            new Dictionary<string, string>(), EngineScaling.Queue(target, cooldown)), T0);

    [TestCase(0, 1)]
    [TestCase(1, 1)]
    [TestCase(5, 1)]
    [TestCase(6, 2)]
    [TestCase(49, 10)]
    [TestCase(1_000_000, 10)]
    public void WantedFor_IsBacklogOverTargetRoundedUp_WithinBounds(long backlog, int expected) =>
        Assert.That(EngineScaling.Queue(5).WantedFor(backlog, 1, 10), Is.EqualTo(expected));

    [Test]
    public void ApplyBacklog_ScalesUpAtOnce()
    {
        var engine = QueueEngine();
        Assert.That(engine.DesiredInstances, Is.EqualTo(1));

        Assert.That(engine.ApplyBacklog(23, T0), Is.True);
        Assert.That(engine.DesiredInstances, Is.EqualTo(5));
    }

    [Test]
    public void ApplyBacklog_ScalesDownOnlyAfterTheCooldown()
    {
        var engine = QueueEngine(cooldown: 60);
        engine.ApplyBacklog(50, T0);

        Assert.That(engine.ApplyBacklog(0, T0.AddSeconds(1)), Is.False);
        Assert.That(engine.ApplyBacklog(0, T0.AddSeconds(60)), Is.False);
        Assert.That(engine.DesiredInstances, Is.EqualTo(10));
        Assert.That(engine.ApplyBacklog(0, T0.AddSeconds(61)), Is.True);
        Assert.That(engine.DesiredInstances, Is.EqualTo(1), "back to minInstances");
    }

    [Test]
    public void ApplyBacklog_ABacklogThatComesBack_RestartsTheCooldown()
    {
        var engine = QueueEngine(cooldown: 60);
        engine.ApplyBacklog(50, T0);
        engine.ApplyBacklog(0, T0.AddSeconds(10));
        engine.ApplyBacklog(50, T0.AddSeconds(40));

        Assert.That(engine.ApplyBacklog(0, T0.AddSeconds(80)), Is.False, "the cooldown restarted at 80 s");
        Assert.That(engine.ApplyBacklog(0, T0.AddSeconds(141)), Is.True);
    }

    [Test]
    public void ApplyBacklog_ManualEngine_ChangesNothing()
    {
        var engine = Engine.Create(Guid.NewGuid(), new EngineSpec("ocr", "i", new Resources(1000, 0, 0, 0), 0, 0, 10, 2, new Dictionary<string, string>()), T0);
        Assert.That(engine.ApplyBacklog(100, T0), Is.False);
        Assert.That(engine.DesiredInstances, Is.EqualTo(2));
    }

    [Test]
    public void Update_OfAQueueEngine_KeepsTheCountItsBacklogSet()
    {
        var engine = QueueEngine();
        engine.ApplyBacklog(23, T0);
        engine.Update(new EngineSpec("asr", "registry/asr:2", new Resources(1000, 1024, 0, 0), 0, 1, 3, 1,
            new Dictionary<string, string>(), EngineScaling.Queue(5, 60)), T0.AddSeconds(1));

        Assert.That(engine.DesiredInstances, Is.EqualTo(3), "kept, within the new maximum");
    }

    [TestCase(0, 60)]
    [TestCase(5, -1)]
    public void Create_InvalidScaling_Throws(int target, int cooldown) =>
        Assert.Throws<DomainException>(() => QueueEngine(target: target, cooldown: cooldown));

    [Test]
    public void EnsureDesiredCountSettable_QueueScaled_RefusesAnotherCount_AcceptsItsOwn_ManualAcceptsAny()
    {
        var queue = QueueEngine(target: 5, cooldown: 60);
        queue.ApplyBacklog(12, T0);
        var error = Assert.Throws<DomainException>(() => queue.EnsureDesiredCountSettable(7))!;
        Assert.That((error.ErrorId, error.Detail!["scalingMode"]), Is.EqualTo(("engine_scaled_by_queue", (object?)"queue")));
        Assert.DoesNotThrow(() => queue.EnsureDesiredCountSettable(queue.DesiredInstances));

        var manual = Engine.Create(Guid.NewGuid(), new EngineSpec("m", "i", new Resources(100, 64, 0, 0), 0, 0, 10, 1, new Dictionary<string, string>()), T0);
        Assert.DoesNotThrow(() => manual.EnsureDesiredCountSettable(7));
    }
}
