using Controller.Domain.Common;
using Controller.Domain.Engines;

namespace Controller.Domain.Tests.Engines;

public sealed class EngineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static EngineSpec Spec(int min = 0, int max = 10, int desired = 4) =>
        new("ocr", "registry/ocr:1", new Resources(1000, 1024, 0, 0), 5, min, max, desired, new Dictionary<string, string>());

    [TestCase(0, 10, 20, 10)]
    [TestCase(2, 10, 0, 2)]
    [TestCase(0, 10, 4, 4)]
    public void Create_DesiredIsClampedToBounds(int min, int max, int desired, int expected) =>
        Assert.That(Engine.Create(Guid.NewGuid(), Spec(min, max, desired), T0).DesiredInstances, Is.EqualTo(expected));

    [Test]
    public void Create_MaxBelowMin_Throws() =>
        Assert.Throws<DomainException>(() => Engine.Create(Guid.NewGuid(), Spec(5, 2, 3), T0));

    [Test]
    public void Create_NeitherCpuNorMemory_Throws() =>
        Assert.Throws<DomainException>(() => Engine.Create(Guid.NewGuid(), Spec() with { Resources = new Resources(0, 0, 1, 0) }, T0));

    [Test]
    public void PendingPreemptions_AreTakenOffByLaunches_AndForgottenWhenTheirVictimsNeverStop()
    {
        var engine = Engine.Create(Guid.NewGuid(), Spec(desired: 3), T0);
        engine.RecordPreemption("h1", [("batch", 1)], TimeSpan.FromSeconds(90), T0);
        engine.RecordPreemption("h2", [("batch", 1)], TimeSpan.FromSeconds(30), T0.AddSeconds(10));
        Assert.That(engine.PreemptionsPendingAt(T0.AddSeconds(10)), Is.EqualTo(2));

        engine.ReserveInstance(); // a copy launched where room was made
        Assert.That(engine.PreemptionsPendingAt(T0.AddSeconds(20)), Is.EqualTo(1));

        // The victims of the other never stopped (their host went silent): past the later deadline it is forgotten,
        // and the engine may preempt again for that copy.
        Assert.That(engine.PreemptionsPendingAt(T0.AddSeconds(91)), Is.Zero);
        engine.RecordPreemption("h3", [("batch", 1)], TimeSpan.FromSeconds(30), T0.AddSeconds(91));
        Assert.That(engine.PreemptionsPendingAt(T0.AddSeconds(92)), Is.EqualTo(1));
    }

    [Test]
    public void ReserveInstance_AtDesired_Throws()
    {
        var engine = Engine.Create(Guid.NewGuid(), Spec(desired: 1), T0);
        engine.ReserveInstance();

        var ex = Assert.Throws<DomainException>(engine.ReserveInstance);
        Assert.That(ex!.ErrorId, Is.EqualTo("engine_at_desired_count"));
        Assert.That(engine.ActiveInstances, Is.EqualTo(1));
    }

    [Test]
    public void Delete_TargetBecomesZeroAndEverythingIsSurplus()
    {
        var engine = Engine.Create(Guid.NewGuid(), Spec(desired: 2), T0);
        engine.ReserveInstance();
        engine.ReserveInstance();

        engine.Delete(T0);

        Assert.That(engine.Surplus, Is.EqualTo(2));
        Assert.Throws<DomainException>(() => engine.CompleteDeletion(T0));
        engine.ReleaseInstance(engine.Revision);
        engine.ReleaseInstance(engine.Revision);
        engine.CompleteDeletion(T0);
        Assert.That(engine.State, Is.EqualTo(EngineState.Deleted));
    }

    [Test]
    public void Update_DeletedOrDeleting_Throws()
    {
        var engine = Engine.Create(Guid.NewGuid(), Spec(), T0);
        engine.Delete(T0);

        Assert.Throws<DomainException>(() => engine.Update(Spec(), T0));
    }

    [Test]
    public void ReleaseInstance_AtZero_Throws() =>
        Assert.Throws<DomainException>(() => Engine.Create(Guid.NewGuid(), Spec(), T0).ReleaseInstance(1));

    [Test]
    public void RecordFailure_BacksOffExponentiallyUpToMax_SuccessForgives()
    {
        var engine = Engine.Create(Guid.NewGuid(), Spec(), T0);

        engine.RecordFailure(T0, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60));
        Assert.That(engine.BackoffUntil, Is.EqualTo(T0.AddSeconds(10)));
        engine.RecordFailure(T0, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60));
        Assert.That(engine.BackoffUntil, Is.EqualTo(T0.AddSeconds(20)));
        for (var i = 0; i < 10; i++)
        {
            engine.RecordFailure(T0, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60));
        }

        Assert.That(engine.BackoffUntil, Is.EqualTo(T0.AddSeconds(60)));
        Assert.That(engine.InBackoffAt(T0.AddSeconds(59)), Is.True);
        engine.RecordSuccess(T0);
        Assert.That(engine.InBackoffAt(T0), Is.False);
        Assert.That(engine.ConsecutiveFailures, Is.Zero);
    }
}
