using Controller.Domain.Common;
using Controller.Domain.EngineInstances;
using Controller.Domain.Scheduling;

namespace Controller.Domain.Tests.Scheduling;

public sealed class SchedulerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<string, string> NoLabels = [];

    private static HostSnapshot Host(HostRole role = HostRole.Active, int cpu = 8000, int memory = 16384, int gpus = 0,
        Resources? reported = null, IReadOnlyList<PlacedInstance>? instances = null, Dictionary<string, string>? labels = null) =>
        new(Guid.NewGuid(), role, new Resources(cpu, memory, gpus, 100_000), reported, labels ?? NoLabels,
            Enumerable.Range(0, gpus).ToList(), instances ?? []);

    private static EngineDemand Engine(int deficit, int cpu = 1000, int memory = 1024, int gpus = 0, int priority = 0, int surplus = 0,
        bool deleting = false, bool backoff = false, int spreadCap = 1000, bool roomElsewhere = true, Dictionary<string, string>? labels = null, string name = "e") =>
        new(Guid.NewGuid(), name, priority, new Resources(cpu, memory, gpus, 0), labels ?? NoLabels, deficit, surplus, deleting, backoff, spreadCap, roomElsewhere);

    private static PlacedInstance Placed(EngineDemand engine, EngineInstanceState state = EngineInstanceState.Running, int[]? gpus = null, int ageSeconds = 0) =>
        new(Guid.NewGuid(), engine.EngineId, state, engine.Resources, gpus ?? [], T0.AddSeconds(-ageSeconds));

    [Test]
    public void Decide_ActiveHostWithRoom_LaunchesTheDeficit()
    {
        var engine = Engine(deficit: 3);

        var decision = Scheduler.Decide(Host(), [engine], PlacementPolicy.Binpack);

        Assert.That(decision.Launches, Has.Count.EqualTo(3));
        Assert.That(decision.Stops, Is.Empty);
    }

    [TestCase(HostRole.Draining)]
    [TestCase(HostRole.Terminating)]
    [TestCase(HostRole.Idle)]
    [TestCase(HostRole.DrainDeadlinePassed)]
    public void Decide_HostNotActive_NeverLaunches(HostRole role)
    {
        var decision = Scheduler.Decide(Host(role), [Engine(deficit: 3)], PlacementPolicy.Binpack);

        Assert.That(decision.Launches, Is.Empty);
    }

    [Test]
    public void Decide_CapacityHoldsTwo_LaunchesTwoCountingAllocatedAndPending()
    {
        var engine = Engine(deficit: 10, cpu: 2000);
        var host = Host(cpu: 8000, instances: [Placed(engine), Placed(engine, EngineInstanceState.Pending)]);

        var decision = Scheduler.Decide(host, [engine], PlacementPolicy.Binpack);

        Assert.That(decision.Launches, Has.Count.EqualTo(2));
    }

    [Test]
    public void Decide_ReportedFreeLowerThanBookkeeping_UsesReportedLessUnreportedPending()
    {
        var engine = Engine(deficit: 10, cpu: 1000);
        var host = Host(cpu: 8000, reported: new Resources(3500, 16384, 0, 100_000), instances: [Placed(engine, EngineInstanceState.Pending)]);

        var decision = Scheduler.Decide(host, [engine], PlacementPolicy.Binpack);

        Assert.That(decision.Launches, Has.Count.EqualTo(2), "3500 reported free less 1000 sent but not reported");
    }

    [Test]
    public void Decide_HigherPriorityFirst_WhenCapacityIsShort()
    {
        var low = Engine(deficit: 2, cpu: 4000, priority: 1, name: "a-low");
        var high = Engine(deficit: 2, cpu: 4000, priority: 99, name: "z-high");

        var decision = Scheduler.Decide(Host(cpu: 8000), [low, high], PlacementPolicy.Binpack);

        Assert.That(decision.Launches.Select(l => l.EngineId), Is.EqualTo(new[] { high.EngineId, high.EngineId }));
    }

    [Test]
    public void Decide_GpuEngine_NamesFreeGpuIndexesAndNeverReusesThem()
    {
        var engine = Engine(deficit: 5, gpus: 1);
        var host = Host(gpus: 3, instances: [Placed(engine, gpus: [1])]);

        var decision = Scheduler.Decide(host, [engine], PlacementPolicy.Binpack);

        Assert.That(decision.Launches.Select(l => l.GpuIndexes.Single()), Is.EqualTo(new[] { 0, 2 }));
    }

    [Test]
    public void Decide_GpuEngineOnHostWithoutGpus_LaunchesNothing() =>
        Assert.That(Scheduler.Decide(Host(gpus: 0), [Engine(deficit: 1, gpus: 1)], PlacementPolicy.Binpack).Launches, Is.Empty);

    [Test]
    public void Decide_LabelsNotCarried_LaunchesNothing()
    {
        var engine = Engine(deficit: 1, labels: new Dictionary<string, string> { ["pool"] = "gpu" });

        Assert.That(Scheduler.Decide(Host(labels: new() { ["pool"] = "cpu" }), [engine], PlacementPolicy.Binpack).Launches, Is.Empty);
        Assert.That(Scheduler.Decide(Host(labels: new() { ["pool"] = "gpu", ["zone"] = "a" }), [engine], PlacementPolicy.Binpack).Launches, Has.Count.EqualTo(1));
    }

    [Test]
    public void Decide_EngineInBackoff_LaunchesNothing() =>
        Assert.That(Scheduler.Decide(Host(), [Engine(deficit: 1, backoff: true)], PlacementPolicy.Binpack).Launches, Is.Empty);

    [Test]
    public void Decide_Spread_LimitsCopiesPerHostToTheCap()
    {
        var engine = Engine(deficit: 4, spreadCap: 2);
        var host = Host(instances: [Placed(engine)]);

        var spread = Scheduler.Decide(host, [engine], PlacementPolicy.Spread);
        var binpack = Scheduler.Decide(host, [engine], PlacementPolicy.Binpack);

        Assert.That(spread.Launches, Has.Count.EqualTo(1));
        Assert.That(binpack.Launches, Has.Count.EqualTo(4));
    }

    [Test]
    public void Decide_Surplus_StopsIdleCopiesBeforeBusyOnes()
    {
        var engine = Engine(deficit: 0, surplus: 1);
        var busy = Placed(engine, EngineInstanceState.Running, ageSeconds: 1) with { Busy = true };
        var idle = Placed(engine, EngineInstanceState.Running, ageSeconds: 100);

        var decision = Scheduler.Decide(Host(instances: [busy, idle]), [engine], PlacementPolicy.Spread);

        Assert.That(decision.Stops.Single().InstanceId, Is.EqualTo(idle.InstanceId));
    }

    [Test]
    public void Decide_QueueScaledSurplus_NeverStopsABusyCopy()
    {
        var engine = Engine(deficit: 0, surplus: 2) with { ScalesDownIdleOnly = true };
        var busy = Placed(engine, EngineInstanceState.Running) with { Busy = true };
        var idle = Placed(engine, EngineInstanceState.Running);

        var decision = Scheduler.Decide(Host(instances: [busy, idle]), [engine], PlacementPolicy.Spread);

        Assert.That(decision.Stops.Select(s => s.InstanceId), Is.EqualTo(new[] { idle.InstanceId }), "the busy copy is told through getwork once idle");
    }

    [Test]
    public void Decide_Surplus_StopsPendingBeforeRunning()
    {
        var engine = Engine(deficit: 0, surplus: 1);
        var running = Placed(engine, EngineInstanceState.Running, ageSeconds: 100);
        var pending = Placed(engine, EngineInstanceState.Pending, ageSeconds: 1);

        var decision = Scheduler.Decide(Host(instances: [running, pending]), [engine], PlacementPolicy.Spread);

        Assert.That(decision.Stops.Single().InstanceId, Is.EqualTo(pending.InstanceId));
        Assert.That(decision.Stops.Single().Reason, Is.EqualTo(Scheduler.ReasonScaledDown));
    }

    [Test]
    public void Decide_SurplusLargerThanCopiesHere_StopsOnlyWhatIsHere()
    {
        var engine = Engine(deficit: 0, surplus: 5);

        var decision = Scheduler.Decide(Host(instances: [Placed(engine)]), [engine], PlacementPolicy.Spread);

        Assert.That(decision.Stops, Has.Count.EqualTo(1));
    }

    [Test]
    public void Decide_TerminatingHost_StopsEveryActiveCopy()
    {
        var engine = Engine(deficit: 0);
        var host = Host(HostRole.Terminating, instances: [Placed(engine), Placed(engine, EngineInstanceState.Pending), Placed(engine, EngineInstanceState.Stopping)]);

        var decision = Scheduler.Decide(host, [engine], PlacementPolicy.Spread);

        Assert.That(decision.Stops, Has.Count.EqualTo(2));
        Assert.That(decision.Stops.Select(s => s.Reason), Is.All.EqualTo(Scheduler.ReasonHostTerminating));
    }

    [Test]
    public void Decide_DrainingHostWithRoomElsewhere_DisplacesItsCopiesWithoutStoppingThem()
    {
        var engine = Engine(deficit: 0, roomElsewhere: true);
        var host = Host(HostRole.Draining, instances: [Placed(engine), Placed(engine)]);

        var decision = Scheduler.Decide(host, [engine], PlacementPolicy.Spread);

        Assert.That(decision.Stops, Is.Empty, "make before break: nothing stops before its replacement runs");
        Assert.That(decision.Displacements, Has.Count.EqualTo(2));
    }

    [Test]
    public void Decide_DisplacedCopyWhileReplacementStillStarting_KeepsRunning()
    {
        var engine = Engine(deficit: 0, roomElsewhere: true) with { Target = 2, RunningCopies = 1, DisplacedCopies = 1 };
        var host = Host(HostRole.Draining, instances: [Placed(engine) with { Displaced = true }]);

        var decision = Scheduler.Decide(host, [engine], PlacementPolicy.Spread);

        Assert.That(decision.IsEmpty, Is.True);
    }

    [Test]
    public void Decide_DisplacedCopyOnceReplacementsRun_IsStoppedAsReplaced()
    {
        var engine = Engine(deficit: 1, roomElsewhere: true) with { Target = 4, RunningCopies = 3, DisplacedCopies = 4 };
        var host = Host(HostRole.Draining, instances: [.. Enumerable.Range(0, 4).Select(_ => Placed(engine) with { Displaced = true })]);

        var decision = Scheduler.Decide(host, [engine], PlacementPolicy.Spread);

        Assert.That(decision.Stops, Has.Count.EqualTo(3), "three replacements run: three displaced copies stop, one waits for the fourth");
        Assert.That(decision.Stops.Select(s => s.Reason), Is.All.EqualTo(Scheduler.ReasonReplaced));
    }

    [Test]
    public void Decide_ManyDeficits_LaunchesAtMostTheAnswerBudgetCountingUnreportedLaunches()
    {
        var small = Engine(deficit: 100, cpu: 1, memory: 1);
        var host = Host(instances: [Placed(small, EngineInstanceState.Pending), Placed(small, EngineInstanceState.Pending)]);

        var decision = Scheduler.Decide(host, [small], new SchedulerSettings(PlacementPolicy.Binpack, MaxLaunchesPerAnswer: 5));

        Assert.That(decision.Launches, Has.Count.EqualTo(3));
    }

    [Test]
    public void Decide_GpuHeldByContainerOfEndedInstance_IsNotGivenAgain()
    {
        var gpu = Engine(deficit: 2, gpus: 1);
        var host = Host(gpus: 2) with { HeldGpuIndexes = [0] };

        var decision = Scheduler.Decide(host, [gpu], PlacementPolicy.Binpack);

        Assert.That(decision.Launches.Select(l => l.GpuIndexes.Single()), Is.EqualTo(new[] { 1 }));
    }

    [Test]
    public void Decide_EngineAvoidedOnThisHost_IsNotLaunchedHereWhileAHostWithRoomDoesNotAvoidIt()
    {
        var engine = Engine(deficit: 1) with { HostsWithRoom = 3 };
        var host = Host() with { AvoidedEngines = new Dictionary<Guid, int> { [engine.EngineId] = 1 } };

        Assert.That(Scheduler.Decide(host, [engine], PlacementPolicy.Spread).Launches, Is.Empty);
        Assert.That(Scheduler.Decide(host, [engine with { HostsWithRoom = 1 }], PlacementPolicy.Spread).Launches, Has.Count.EqualTo(1),
            "the only host with room is used anyway");
    }

    [Test]
    public void Decide_EveryHostWithRoomAvoidsTheEngine_ItIsPlacedAnyway_NotStarved()
    {
        var engine = Engine(deficit: 1) with { HostsWithRoom = 3 };

        Assert.That(Scheduler.Decide(Host() with { AvoidedEngines = new Dictionary<Guid, int> { [engine.EngineId] = 3 } }, [engine], PlacementPolicy.Spread).Launches,
            Has.Count.EqualTo(1));
        Assert.That(Scheduler.Decide(Host() with { AvoidedEngines = new Dictionary<Guid, int> { [engine.EngineId] = 2 } }, [engine], PlacementPolicy.Spread).Launches,
            Is.Empty, "a third host with room does not avoid it");
    }

    [TestCase(0, 2, 2)]
    [TestCase(1, 2, 1)]
    [TestCase(2, 2, 0)]
    [TestCase(0, 1, 1)]
    public void Decide_ActiveHostItsEngineLabelsNoLongerMatch_DisplacesAsManyAsTheEngineMayHaveDisplaced(int displacedElsewhere, int maxDisplaced, int displaced)
    {
        var engine = Engine(deficit: 0, labels: new() { ["zone"] = "b" }) with { Target = 3, RunningCopies = 3, DisplacedCopies = displacedElsewhere, MaxDisplaced = maxDisplaced };
        var busy = Placed(engine, ageSeconds: 30) with { Busy = true };
        var copies = new[] { busy, Placed(engine, ageSeconds: 20), Placed(engine, ageSeconds: 10) };
        var host = Host(instances: copies, labels: new() { ["zone"] = "a" });

        var decision = Scheduler.Decide(host, [engine], PlacementPolicy.Spread);

        Assert.That(decision.Stops, Is.Empty, "make before break: nothing stops before its replacement runs");
        Assert.That(decision.Displacements.Select(d => d.InstanceId), Is.EqualTo(copies.Skip(1).Concat([busy]).Take(displaced).Select(c => c.InstanceId)),
            "idle copies first, oldest first");
        Assert.That(decision.Displacements.All(d => d.LabelsChanged), Is.True);
    }

    [TestCase(false, false)]
    [TestCase(true, true)]
    public void Decide_ActiveHostItsEngineLabelsStillMatch_OrNoRoomElsewhere_DisplacesNothing_UnlessTheEngineMayPreempt(bool mayPreempt, bool displaced)
    {
        var matching = Engine(deficit: 0, labels: new() { ["zone"] = "a" }) with { Target = 1, RunningCopies = 1, MayPreempt = mayPreempt };
        var noRoom = Engine(deficit: 0, labels: new() { ["zone"] = "b" }, roomElsewhere: false) with { Target = 1, RunningCopies = 1, MayPreempt = mayPreempt };
        var host = Host(instances: [Placed(matching), Placed(noRoom)], labels: new() { ["zone"] = "a", ["gpu"] = "none" });

        var decision = Scheduler.Decide(host, [matching, noRoom], PlacementPolicy.Spread);

        Assert.That(decision.Displacements.Select(d => d.EngineId), Is.EqualTo(displaced ? new[] { noRoom.EngineId } : []));
        Assert.That(decision.Stops, Is.Empty);
    }

    [Test]
    public void Decide_DrainingHostWithoutRoomElsewhere_KeepsItsCopies()
    {
        var engine = Engine(deficit: 0, roomElsewhere: false);

        var decision = Scheduler.Decide(Host(HostRole.Draining, instances: [Placed(engine)]), [engine], PlacementPolicy.Spread);

        Assert.That(decision.IsEmpty, Is.True);
    }

    [Test]
    public void Decide_InstanceOfEngineNotInCatalogue_IsStopped()
    {
        var gone = Engine(deficit: 0);

        var decision = Scheduler.Decide(Host(instances: [Placed(gone)]), [], PlacementPolicy.Spread);

        Assert.That(decision.Stops.Single().Reason, Is.EqualTo(Scheduler.ReasonEngineDeleted));
    }
}
