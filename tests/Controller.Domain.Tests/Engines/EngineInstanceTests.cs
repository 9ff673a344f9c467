using Controller.Domain.Common;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Controller.Domain.Scheduling;

namespace Controller.Domain.Tests.Engines;

public sealed class EngineInstanceTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static (Engine Engine, EngineInstance Instance) Launched(int gpus = 0)
    {
        var engine = Engine.Create(Guid.NewGuid(), new EngineSpec("e", "img", new Resources(1, 1, gpus, 0), 0, 0, 5, 5, new Dictionary<string, string>()), T0);
        var instance = EngineInstance.Launch(Guid.NewGuid(), engine, Guid.NewGuid(), Enumerable.Range(0, gpus).ToList(), Guid.NewGuid(), T0);
        return (engine, instance);
    }

    internal static readonly InstanceTimeouts Timeouts = new(TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2));

    [Test]
    public void Launch_CountsOnEngineAndIsPending()
    {
        var (engine, instance) = Launched();

        Assert.That(engine.ActiveInstances, Is.EqualTo(1));
        Assert.That(instance.State, Is.EqualTo(EngineInstanceState.Pending));
        Assert.That(instance.IsActive, Is.True);
    }

    [Test]
    public void Launch_WrongNumberOfGpus_Throws()
    {
        var engine = Engine.Create(Guid.NewGuid(), new EngineSpec("e", "img", new Resources(1, 1, 2, 0), 0, 0, 5, 5, new Dictionary<string, string>()), T0);

        Assert.Throws<DomainException>(() => EngineInstance.Launch(Guid.NewGuid(), engine, Guid.NewGuid(), [0], Guid.NewGuid(), T0));
    }

    [Test]
    public void Lifecycle_PendingStartingRunningStoppingStopped()
    {
        var (_, instance) = Launched();

        instance.ContainerSeen("c1", T0);
        Assert.That(instance.State, Is.EqualTo(EngineInstanceState.Starting));
        instance.Register(T0);
        Assert.That(instance.State, Is.EqualTo(EngineInstanceState.Running));
        Assert.That(instance.RequestStop("scaled_down", T0), Is.True);
        Assert.That(instance.HoldsResources, Is.True);
        Assert.That(instance.ContainerExited(0, T0), Is.False);
        Assert.That(instance.State, Is.EqualTo(EngineInstanceState.Stopped));
    }

    [Test]
    public void Register_Twice_ThrowsAlreadyRegistered()
    {
        var (_, instance) = Launched();
        instance.Register(T0);

        var ex = Assert.Throws<DomainException>(() => instance.Register(T0));
        Assert.That(ex!.ErrorId, Is.EqualTo("engine_instance_already_registered"));
    }

    [Test]
    public void ContainerExited_WhileRunning_Fails()
    {
        var (_, instance) = Launched();
        instance.ContainerSeen("c1", T0);

        Assert.That(instance.ContainerExited(137, T0), Is.True);
        Assert.That(instance.State, Is.EqualTo(EngineInstanceState.Failed));
        Assert.That(instance.ExitCode, Is.EqualTo(137));
    }

    [Test]
    public void TimeoutsAndLoss_LeaveActiveOnce()
    {
        var (_, pending) = Launched();
        Assert.That(pending.LaunchTimedOut(T0), Is.True);
        Assert.That(pending.LaunchTimedOut(T0), Is.False);

        var (_, running) = Launched();
        running.Heartbeat(false, T0);
        Assert.That(running.HeartbeatTimedOut(T0), Is.True);
        Assert.That(running.MarkLost(T0), Is.False, "already ended");

        var (_, stopping) = Launched();
        stopping.RequestStop("x", T0);
        Assert.That(stopping.MarkLost(T0), Is.False, "stopping already left the active states");
        Assert.That(stopping.State, Is.EqualTo(EngineInstanceState.Lost));
    }

    [Test]
    public void Reconcile_ReportedRunning_StartsPendingAndUnknownIsTerminated()
    {
        var (_, instance) = Launched();
        var unknown = Guid.NewGuid();

        var result = StatusReconciler.Reconcile([instance],
            [new ReportedContainer("c1", instance.Id, ReportedContainerState.Running, null), new ReportedContainer("c2", unknown, ReportedContainerState.Running, null)],
            new Dictionary<Guid, EndedInstance>(), T0, Timeouts);

        Assert.That(instance.State, Is.EqualTo(EngineInstanceState.Starting));
        Assert.That(result.ExtraTerminates.Single().Reason, Is.EqualTo(StatusReconciler.ReasonUnknownInstance));
    }

    [Test]
    public void Reconcile_PendingNotReportedPastTimeout_FailsAndIsReleased()
    {
        var (_, instance) = Launched();

        var result = StatusReconciler.Reconcile([instance], [], new Dictionary<Guid, EndedInstance>(), T0.AddMinutes(3), Timeouts);

        Assert.That(result.Released, Is.EqualTo(new[] { instance }));
        Assert.That(result.Failed, Is.EqualTo(new[] { instance }));
    }

    [Test]
    public void Reconcile_StaleInstanceOfHostBackFromLost_IsTerminatedAsStale()
    {
        var id = Guid.NewGuid();

        var result = StatusReconciler.Reconcile([], [new ReportedContainer("c", id, ReportedContainerState.Running, null)],
            new Dictionary<Guid, EndedInstance> { [id] = new(EngineInstanceState.Lost, []) }, T0, Timeouts);

        Assert.That(result.ExtraTerminates.Single().Reason, Is.EqualTo(StatusReconciler.ReasonStaleInstance));
    }

    [Test]
    public void Reconcile_SilentRunningEngine_FailsOnHeartbeatTimeout()
    {
        var (_, instance) = Launched();
        instance.ContainerSeen("c1", T0);
        instance.Heartbeat(true, T0);

        var result = StatusReconciler.Reconcile([instance], [new ReportedContainer("c1", instance.Id, ReportedContainerState.Running, null)],
            new Dictionary<Guid, EndedInstance>(), T0.AddMinutes(2), Timeouts);

        Assert.That(result.Failed, Has.Count.EqualTo(1));
        Assert.That(instance.StopReason, Is.EqualTo("heartbeat_timeout"));
    }
}
