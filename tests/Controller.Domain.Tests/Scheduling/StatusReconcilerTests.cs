using Controller.Domain.Common;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Controller.Domain.Scheduling;

namespace Controller.Domain.Tests.Scheduling;

/// <summary>Every instance state has a timeout; GPUs stay held while a container that had them is reported.</summary>
public sealed class StatusReconcilerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly InstanceTimeouts Timeouts = new(TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2));
    private static readonly Dictionary<Guid, EndedInstance> NoneEnded = [];

    private static EngineInstance Launched(int gpus = 0)
    {
        var engine = Engine.Create(Guid.NewGuid(), new EngineSpec("e", "img", new Resources(1, 1, gpus, 0), 0, 0, 5, 5, new Dictionary<string, string>()), T0);
        return EngineInstance.Launch(Guid.NewGuid(), engine, Guid.NewGuid(), Enumerable.Range(0, gpus).ToList(), Guid.NewGuid(), T0);
    }

    private static ReportedContainer Running(EngineInstance instance) => new("c-" + instance.Id, instance.Id, ReportedContainerState.Running, null);

    [Test]
    public void Reconcile_StartingEngineNeverRegisters_FailsAfterStartTimeout()
    {
        var instance = Launched();
        StatusReconciler.Reconcile([instance], [Running(instance)], NoneEnded, T0, Timeouts);

        var early = StatusReconciler.Reconcile([instance], [Running(instance)], NoneEnded, T0.AddMinutes(4), Timeouts);
        Assert.That(early.Released, Is.Empty);

        var late = StatusReconciler.Reconcile([instance], [Running(instance)], NoneEnded, T0.AddMinutes(6), Timeouts);
        Assert.That(late.Failed, Is.EqualTo(new[] { instance }));
        Assert.That(instance.StopReason, Is.EqualTo("start_timeout"));
        Assert.That(late.ExtraTerminates.Single().EngineInstanceId, Is.EqualTo(instance.Id), "its container is removed");
    }

    [Test]
    public void Reconcile_EngineRegisteredButAgentNeverListedIt_TimesOutLikeAPendingLaunch()
    {
        var instance = Launched();
        instance.Register(T0);

        var early = StatusReconciler.Reconcile([instance], [], NoneEnded, T0.AddMinutes(1), Timeouts);
        Assert.That(early.Released, Is.Empty, "not yet listed is not 'disappeared'");
        Assert.That(instance.State, Is.EqualTo(EngineInstanceState.Running));

        var late = StatusReconciler.Reconcile([instance], [], NoneEnded, T0.AddMinutes(3), Timeouts);
        Assert.That(late.Failed, Is.EqualTo(new[] { instance }));
        Assert.That(instance.StopReason, Is.EqualTo("launch_timeout"));
    }

    [Test]
    public void Reconcile_StoppingContainerNeverGoes_CountedGoneAfterStopTimeoutAndToldAgain()
    {
        var instance = Launched();
        StatusReconciler.Reconcile([instance], [Running(instance)], NoneEnded, T0, Timeouts);
        instance.RequestStop("scaled_down", T0);

        var early = StatusReconciler.Reconcile([instance], [Running(instance)], NoneEnded, T0.AddMinutes(1), Timeouts);
        Assert.That(instance.State, Is.EqualTo(EngineInstanceState.Stopping));
        Assert.That(early.ExtraTerminates, Is.Empty, "the stop order itself is repeated from the stopping state");

        var late = StatusReconciler.Reconcile([instance], [Running(instance)], NoneEnded, T0.AddMinutes(3), Timeouts);
        Assert.That(instance.State, Is.EqualTo(EngineInstanceState.Stopped));
        Assert.That(instance.HoldsResources, Is.False);
        Assert.That(late.Released, Is.Empty, "it had already left its engine's count");
        Assert.That(late.ExtraTerminates.Single().Reason, Is.EqualTo(StatusReconciler.ReasonEnded));
    }

    [Test]
    public void Reconcile_ACopyARollingUpdateLeftToFinishItsWork_IsCountedGoneOnlyAfterItsStopGraceToo()
    {
        var instance = Launched();
        StatusReconciler.Reconcile([instance], [Running(instance)], NoneEnded, T0, Timeouts);
        instance.Heartbeat(busy: true, T0);
        instance.RequestStop(Scheduler.ReasonRollingUpdate, T0);

        StatusReconciler.Reconcile([instance], [Running(instance)], NoneEnded, T0 + Timeouts.Stop + TimeSpan.FromSeconds(29), Timeouts);
        Assert.That(instance.State, Is.EqualTo(EngineInstanceState.Stopping), "its stop grace (30 s) comes before the stop timeout");

        StatusReconciler.Reconcile([instance], [Running(instance)], NoneEnded, T0 + Timeouts.Stop + TimeSpan.FromSeconds(31), Timeouts);
        Assert.That(instance.State, Is.EqualTo(EngineInstanceState.Stopped));
    }

    [Test]
    public void Reconcile_PendingLaunchStoppedBeforeTheAgentListedIt_IsStoppedAtOnce()
    {
        var instance = Launched();
        instance.RequestStop("scaled_down", T0);

        StatusReconciler.Reconcile([instance], [], NoneEnded, T0.AddSeconds(5), Timeouts);

        Assert.That(instance.State, Is.EqualTo(EngineInstanceState.Stopped));
    }

    [Test]
    public void Reconcile_ContainerOfEndedInstanceStillReported_HoldsItsGpus()
    {
        var instance = Launched(gpus: 2);
        instance.MarkLost(T0);

        var result = StatusReconciler.Reconcile([], [Running(instance)],
            new Dictionary<Guid, EndedInstance> { [instance.Id] = new(instance.State, instance.GpuIndexes) }, T0, Timeouts);

        Assert.That(result.HeldGpuIndexes, Is.EquivalentTo(new[] { 0, 1 }));
        Assert.That(result.ExtraTerminates.Single().Reason, Is.EqualTo(StatusReconciler.ReasonStaleInstance));
    }

    [Test]
    public void Reconcile_ContainerEndsThisRound_HoldsItsGpusUntilItIsGone()
    {
        var instance = Launched(gpus: 1);
        StatusReconciler.Reconcile([instance], [Running(instance)], NoneEnded, T0, Timeouts);

        var result = StatusReconciler.Reconcile([instance], [new ReportedContainer("c", instance.Id, ReportedContainerState.Exited, 1)], NoneEnded, T0, Timeouts);

        Assert.That(instance.State, Is.EqualTo(EngineInstanceState.Failed));
        Assert.That(result.HeldGpuIndexes, Is.EqualTo(new[] { 0 }));
    }
}
