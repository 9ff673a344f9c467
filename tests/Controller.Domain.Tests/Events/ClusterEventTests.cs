using Controller.Domain.Common;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Controller.Domain.Events;
using Controller.Domain.Hosts;

namespace Controller.Domain.Tests.Events;

/// <summary>Each lifecycle transition raises exactly one event; a call that changes nothing raises none.</summary>
public sealed class ClusterEventTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static Host NewHost() =>
        Host.Register(Guid.NewGuid(), new HostRegistration("m", "worker-1", ["10.0.0.1"], "1", new Dictionary<string, string>(), new Resources(4000, 8192, 0, 100), []), T0);

    private static Engine NewEngine(int desired = 2) =>
        Engine.Create(Guid.NewGuid(), new EngineSpec("ocr", "registry/ocr:1", new Resources(1000, 1024, 0, 0), 50, 0, 10, desired, new Dictionary<string, string>()), T0);

    private static List<string> Taken(Entity entity) => [.. entity.TakeEvents().Select(e => e.Type)];

    [Test]
    public void Host_EveryTransitionOnce_RepeatsRaiseNothing()
    {
        var host = NewHost();
        Assert.That(Taken(host), Is.EqualTo(new[] { ClusterEventTypes.HostRegistered }));

        host.Drain(T0, null, Host.DefaultDrainDeadline);
        host.Drain(T0, TimeSpan.FromMinutes(1), Host.DefaultDrainDeadline);
        host.CompleteDrain(T0);
        host.Undrain(T0);
        host.Undrain(T0);
        host.MarkLost(T0);
        host.RecordStatus(Resources.Zero, T0);
        host.RecordStatus(Resources.Zero, T0);
        host.Terminate(T0);
        host.Terminate(T0);
        host.CompleteTermination(T0);

        Assert.That(Taken(host), Is.EqualTo(new[]
        {
            ClusterEventTypes.HostDraining, ClusterEventTypes.HostDrained, ClusterEventTypes.HostUndrained, ClusterEventTypes.HostLost,
            ClusterEventTypes.HostBack, ClusterEventTypes.HostTerminating, ClusterEventTypes.HostTerminated,
        }));
        Assert.That(host.TakeEvents(), Is.Empty, "taking empties the list");
    }

    [Test]
    public void Instance_LaunchToStopped_CarriesHostEngineReasonAndExitCode()
    {
        var engine = NewEngine();
        var hostId = Guid.NewGuid();
        var instance = EngineInstance.Launch(Guid.NewGuid(), engine, hostId, [], Guid.NewGuid(), T0);
        instance.ContainerSeen("c1", T0);
        instance.ContainerSeen("c1", T0);
        instance.Register(T0);
        instance.Heartbeat(false, T0);
        instance.RequestStop("scaled_down", T0);
        instance.RequestStop("scaled_down", T0);
        instance.ContainerExited(0, T0);

        var events = instance.TakeEvents();
        Assert.That(events.Select(e => e.Type), Is.EqualTo(new[]
        {
            ClusterEventTypes.InstanceLaunched, ClusterEventTypes.InstanceStarting, ClusterEventTypes.InstanceRunning,
            ClusterEventTypes.InstanceStopping, ClusterEventTypes.InstanceStopped,
        }));
        Assert.That(events.All(e => e.HostId == hostId && e.EngineId == engine.Id && e.InstanceId == instance.Id), Is.True);
        Assert.That(events[3].Reason, Is.EqualTo("scaled_down"));
        Assert.That(events[4].ExitCode, Is.EqualTo(0));
    }

    [Test]
    public void Instance_Crash_FailedWithReasonAndExitCode_ThenNothingMore()
    {
        var instance = EngineInstance.Launch(Guid.NewGuid(), NewEngine(), Guid.NewGuid(), [], Guid.NewGuid(), T0);
        instance.ContainerSeen("c1", T0);
        instance.TakeEvents();

        instance.ContainerExited(137, T0);
        instance.MarkLost(T0);
        instance.HeartbeatTimedOut(T0);

        var failed = instance.TakeEvents().Single();
        Assert.That((failed.Type, failed.Reason, failed.ExitCode), Is.EqualTo((ClusterEventTypes.InstanceFailed, "exited", (int?)137)));
        Assert.That(failed.Message, Does.Contain("137"));
    }

    [Test]
    public void Engine_ScaleBackoffAndDeletion()
    {
        var engine = NewEngine(desired: 2);
        Assert.That(Taken(engine), Is.EqualTo(new[] { ClusterEventTypes.EngineCreated }));

        engine.Update(new EngineSpec("ocr", "registry/ocr:2", new Resources(1000, 1024, 0, 0), 50, 0, 10, 2, new Dictionary<string, string>()), T0);
        Assert.That(Taken(engine), Is.Empty, "an update that keeps the count is not a scale change");

        engine.Update(new EngineSpec("ocr", "registry/ocr:2", new Resources(1000, 1024, 0, 0), 50, 0, 10, 5, new Dictionary<string, string>()), T0);
        engine.RecordFailure(T0, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5));
        engine.RecordSuccess(T0);
        engine.RecordSuccess(T0);
        engine.Delete(T0);
        engine.Delete(T0);
        engine.CompleteDeletion(T0);

        var events = engine.TakeEvents();
        Assert.That(events.Select(e => e.Type), Is.EqualTo(new[]
        {
            ClusterEventTypes.EngineScaled, ClusterEventTypes.EngineBackoffStarted, ClusterEventTypes.EngineBackoffEnded,
            ClusterEventTypes.EngineDeleting, ClusterEventTypes.EngineDeleted,
        }));
        Assert.That(events[0].Message, Does.Contain("2 → 5"));
    }

    [Test]
    public void Create_LongTextIsCut()
    {
        var e = ClusterEvent.Create(ClusterEventTypes.HostLost, T0, new string('x', 2000), reason: new string('r', 500));
        Assert.That((e.Message.Length, e.Reason!.Length), Is.EqualTo((ClusterEvent.MessageMaxLength, ClusterEvent.ReasonMaxLength)));
    }
}
