using Controller.Domain.Common;
using Controller.Domain.EngineInstances;
using Controller.Domain.Scheduling;

namespace Controller.Domain.Tests.Scheduling;

/// <summary>
/// Victim selection (<see cref="Preemption"/>) and when the scheduler preempts: only for an engine no host has room for,
/// only copies of strictly lower priority that allow it, the fewest and least important, never for a copy that fits once
/// the stops under way finish, one copy per round and no more than the copies still lacking.
/// </summary>
public sealed class PreemptionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static PreemptionCandidate Candidate(int priority, int cpu = 1000, int memory = 1024, int gpus = 0, bool busy = false, int ageSeconds = 0) =>
        new(new PlacedInstance(Guid.NewGuid(), Guid.NewGuid(), EngineInstanceState.Running, new Resources(cpu, memory, gpus, 0), Enumerable.Range(0, gpus).ToList(),
            T0.AddSeconds(-ageSeconds), Busy: busy), priority);

    private static Resources Need(int cpu, int memory = 0, int gpus = 0) => new(cpu, memory, gpus, 0);

    [Test]
    public void ChooseVictims_TakesTheFewestThatMakeRoom_LowestPriorityFirst()
    {
        var big = Candidate(priority: 10, cpu: 4000, memory: 4096);
        var small = Candidate(priority: 5, cpu: 1000, memory: 1024);
        var other = Candidate(priority: 5, cpu: 1000, memory: 1024, ageSeconds: 10);

        var victims = Preemption.ChooseVictims(Need(0), Need(0), Need(2000, 2048), priority: 100, [big, small, other]);

        Assert.That(victims, Is.EquivalentTo(new[] { small.Copy, other.Copy }), "two small copies of priority 5, not the priority-10 one");
    }

    [Test]
    public void ChooseVictims_OneLargeCopyOfTheSamePriority_InsteadOfThreeSmall()
    {
        var large = Candidate(priority: 5, cpu: 3000, memory: 3072);
        var smalls = Enumerable.Range(0, 3).Select(n => Candidate(priority: 5, cpu: 1000, memory: 1024, ageSeconds: n)).ToList();

        var victims = Preemption.ChooseVictims(Need(0), Need(0), Need(3000, 3072), priority: 100, [large, .. smalls]);

        Assert.That(victims.Count, Is.LessThanOrEqualTo(3));
        Assert.That(victims.Select(v => v.Resources).Sum().Fits(Need(3000, 3072)), Is.True);
    }

    [Test]
    public void ChooseVictims_IdleBeforeBusy()
    {
        var busy = Candidate(priority: 5, busy: true);
        var idle = Candidate(priority: 5, busy: false);

        var victims = Preemption.ChooseVictims(Need(0), Need(0), Need(1000, 1024), priority: 100, [busy, idle]);

        Assert.That(victims, Is.EqualTo(new[] { idle.Copy }));
    }

    [Test]
    public void ChooseVictims_CountsWhatIsFreeAlready()
    {
        var a = Candidate(priority: 5);
        var b = Candidate(priority: 5);

        var victims = Preemption.ChooseVictims(Need(1000, 1024), Need(0), Need(2000, 2048), priority: 100, [a, b]);

        Assert.That(victims, Has.Count.EqualTo(1));
    }

    [Test]
    public void ChooseVictims_GpusAreMadeRoomFor()
    {
        var cpuOnly = Candidate(priority: 1, cpu: 2000, memory: 2048);
        var withGpu = Candidate(priority: 5, cpu: 500, memory: 512, gpus: 1);

        var victims = Preemption.ChooseVictims(Need(4000, 4096), Need(0), Need(1000, 1024, gpus: 1), priority: 100, [cpuOnly, withGpu]);

        Assert.That(victims, Is.EqualTo(new[] { withGpu.Copy }), "the copy holding the GPU, though of higher priority than the other");
    }

    [Test]
    public void ChooseVictims_EqualOrHigherPriorities_AreNeverVictims()
    {
        var equal = Candidate(priority: 100);
        var higher = Candidate(priority: 200);

        Assert.That(Preemption.ChooseVictims(Need(0), Need(0), Need(1000, 1024), priority: 100, [equal, higher]), Is.Empty);
    }

    [Test]
    public void ChooseVictims_NotEnoughEvenWithEveryCandidate_None()
    {
        Assert.That(Preemption.ChooseVictims(Need(0), Need(0), Need(4000, 1024), priority: 100, [Candidate(priority: 1), Candidate(priority: 1)]), Is.Empty);
    }

    [Test]
    public void ChooseVictims_ItFitsOnceTheStopsUnderWayFinish_None()
    {
        Assert.That(Preemption.ChooseVictims(Need(500, 512), Need(500, 512), Need(1000, 1024), priority: 100, [Candidate(priority: 1)]), Is.Empty);
    }

    private static HostSnapshot FullHost(params PlacedInstance[] instances) =>
        new(Guid.NewGuid(), HostRole.Active, new Resources(4000, 4096, 0, 100_000), null, new Dictionary<string, string>(), [], instances);

    private static EngineDemand Demand(string name, int priority, int deficit, int hostsWithRoom = 0, bool preemptible = true, int pending = 0) =>
        new(Guid.NewGuid(), name, priority, new Resources(2000, 2048, 0, 0), new Dictionary<string, string>(), deficit, 0, false, false, 1000, false)
        {
            HostsWithRoom = hostsWithRoom,
            Preemptible = preemptible,
            PreemptionsPending = pending,
        };

    private static PlacedInstance CopyOf(EngineDemand engine, int ageSeconds = 0) =>
        new(Guid.NewGuid(), engine.EngineId, EngineInstanceState.Running, engine.Resources, [], T0.AddSeconds(-ageSeconds));

    [Test]
    public void Decide_AHighPriorityEngineWithNoRoomAnywhere_StopsOneLowerCopyForOneOfItsCopies()
    {
        var low = Demand("low", priority: 10, deficit: 0);
        var high = Demand("high", priority: 100, deficit: 3);
        var host = FullHost(CopyOf(low), CopyOf(low, 5));

        var decision = Scheduler.Decide(host, [low, high], PlacementPolicy.Binpack);

        Assert.That(decision.Preemption!.EngineId, Is.EqualTo(high.EngineId));
        Assert.That(decision.Stops.Select(s => (s.EngineId, s.Reason)), Is.EqualTo(new[] { (low.EngineId, Scheduler.ReasonPreempted) }),
            "one copy per round: one victim is enough for one copy");
        Assert.That(decision.Launches, Is.Empty, "the copy is launched once the victim has stopped");
    }

    [Test]
    public void Decide_LowerPriorityEngine_NeverPreempts_AndEqualPrioritiesNeitherDo()
    {
        var high = Demand("high", priority: 100, deficit: 0);
        var peer = Demand("peer", priority: 10, deficit: 0);
        var low = Demand("low", priority: 10, deficit: 2);
        var host = FullHost(CopyOf(high), CopyOf(peer));

        Assert.That(Scheduler.Decide(host, [high, peer, low], PlacementPolicy.Binpack).Preemption, Is.Null);
    }

    [Test]
    public void Decide_NoPreemption_WhenAHostHasRoom_WhenPendingPreemptionsCoverTheDeficit_OrTheVictimIsNotPreemptible()
    {
        var low = Demand("low", priority: 10, deficit: 0);
        var host = FullHost(CopyOf(low), CopyOf(low, 5));

        Assert.That(Scheduler.Decide(host, [low, Demand("roomy", 100, deficit: 1, hostsWithRoom: 1)], PlacementPolicy.Binpack).Preemption, Is.Null);
        Assert.That(Scheduler.Decide(host, [low, Demand("pending", 100, deficit: 2, pending: 2)], PlacementPolicy.Binpack).Preemption, Is.Null);
        var fixedLow = low with { Preemptible = false };
        Assert.That(Scheduler.Decide(host, [fixedLow, Demand("blocked", 100, deficit: 1)], PlacementPolicy.Binpack).Preemption, Is.Null);
    }

    [Test]
    public void Decide_NoPreemption_ForACopyThatFitsOnceACopyAlreadyStoppingIsGone()
    {
        var low = Demand("low", priority: 10, deficit: 0);
        var stopping = CopyOf(low) with { State = EngineInstanceState.Stopping };
        var host = FullHost(stopping, CopyOf(low, 5));

        Assert.That(Scheduler.Decide(host, [low, Demand("high", 100, deficit: 1)], PlacementPolicy.Binpack).Preemption, Is.Null);
    }
}
