using Controller.Domain.Common;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Controller.Domain.Hosts;
using Controller.Domain.Scheduling;
using Controller.Domain.Work;

namespace Controller.Domain.Tests.Work;

public sealed class WorkDispatchTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static (Engine Engine, EngineInstance Instance) Running(EngineScaling? scaling = null, int desired = 1)
    {
        var engine = Engine.Create(Guid.NewGuid(), new EngineSpec("e", "i", new Resources(1000, 0, 0, 0), 0, 0, 4, desired, new Dictionary<string, string>(), scaling), T0);
        var instance = EngineInstance.Launch(Guid.NewGuid(), engine, Guid.NewGuid(), [], Guid.NewGuid(), T0);
        instance.Register(T0);
        return (engine, instance);
    }

    [Test]
    public void Decide_RunningOnAnActiveHost_TakesWork()
    {
        var (engine, instance) = Running();
        Assert.That(WorkDispatch.Decide(instance, HostState.Active, engine, 0), Is.EqualTo(WorkVerdict.Take));
    }

    [TestCase(HostState.Draining, WorkVerdict.ReasonHostDraining)]
    [TestCase(HostState.Drained, WorkVerdict.ReasonHostDraining)]
    [TestCase(HostState.Terminating, Scheduler.ReasonHostTerminating)]
    [TestCase(HostState.Lost, WorkVerdict.ReasonHostDraining)]
    public void Decide_HostNotActive_NoWork_StoppedOnceIdle(HostState state, string reason)
    {
        var (engine, instance) = Running();
        var verdict = WorkDispatch.Decide(instance, state, engine, 0);

        Assert.That(verdict.MayTakeWork, Is.False);
        Assert.That(verdict.StopReason, Is.EqualTo(reason));
        Assert.That(verdict.ActionFor(held: 0, leased: 0), Is.EqualTo(WorkAction.Terminate));
        Assert.That(verdict.ActionFor(held: 1, leased: 0), Is.EqualTo(WorkAction.Wait), "finishes what it holds first");
    }

    [Test]
    public void Decide_DisplacedOnAnActiveHost_WorksOnUntilItsReplacementRuns()
    {
        var (engine, instance) = Running();
        instance.Displace(labelsChanged: true);

        Assert.That(WorkDispatch.Decide(instance, HostState.Active, engine, 0), Is.EqualTo(WorkVerdict.Take));
        Assert.That(WorkDispatch.Decide(instance, HostState.Draining, engine, 0).MayTakeWork, Is.False, "a draining host's copies take no new work");
    }

    [Test]
    public void Decide_StoppedInstance_TerminateWithoutAnotherStop()
    {
        var (engine, instance) = Running();
        instance.RequestStop("scaled_down", T0);
        var verdict = WorkDispatch.Decide(instance, HostState.Active, engine, 0);

        Assert.That(verdict, Is.EqualTo(new WorkVerdict(false, null)));
        Assert.That(verdict.ActionFor(0, 0), Is.EqualTo(WorkAction.Terminate));
    }

    [Test]
    public void Decide_QueueEngineWithSurplus_LetsOnlyIdleCopiesGo()
    {
        var (engine, instance) = Running(EngineScaling.Queue(1, 0), desired: 1);
        engine.ApplyBacklog(0, T0);
        Assert.That(engine.Surplus, Is.EqualTo(1));

        Assert.That(WorkDispatch.Decide(instance, HostState.Active, engine, held: 0).StopReason, Is.EqualTo(Scheduler.ReasonScaledDown));
        Assert.That(WorkDispatch.Decide(instance, HostState.Active, engine, held: 1).MayTakeWork, Is.True, "a busy copy keeps working");
    }

    [Test]
    public void Decide_EngineDeleted_NoWork()
    {
        var (engine, instance) = Running();
        engine.Delete(T0);
        Assert.That(WorkDispatch.Decide(instance, HostState.Active, engine, 0).StopReason, Is.EqualTo(Scheduler.ReasonEngineDeleted));
        Assert.That(WorkDispatch.Decide(instance, HostState.Active, null, 0).StopReason, Is.EqualTo(Scheduler.ReasonEngineDeleted));
    }
}
