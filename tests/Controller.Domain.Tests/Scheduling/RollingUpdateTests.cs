using Controller.Domain.Common;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Controller.Domain.Events;
using Controller.Domain.Scheduling;

namespace Controller.Domain.Tests.Scheduling;

/// <summary>
/// The update planner (<see cref="RollingUpdate"/>, <see cref="Engine.Deficit"/> with its surge, and the rollout's life
/// on the engine), driven as the status rounds drive it: hosts report one after the other, every decision is applied to
/// the engine and its copies, copies start a step after their launch. After every host's round the bounds hold: never
/// more than desired + maxSurge copies up, never fewer than desired − maxUnavailable healthy; every rollout ends with the
/// desired count of the current revision, through scale changes, new changes and a revert.
/// </summary>
public sealed class RollingUpdateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(5);
    private static readonly BackoffPolicy Backoff = new(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(60));

    /// <summary>A small cluster of hosts with one engine, stepped like the controller steps it.</summary>
    private sealed class Cluster
    {
        private readonly List<Guid> _hosts = [.. Enumerable.Range(0, 4).Select(_ => Guid.NewGuid())];
        private readonly Dictionary<int, EngineRevision> _revisions = [];

        public Cluster(int desired, UpdatePolicy policy)
        {
            Engine = Engine.Create(Guid.NewGuid(), Spec("registry/asr:1", desired, policy), Now);
            _revisions[1] = EngineRevision.Of(Engine, Now);
        }

        public DateTimeOffset Now { get; private set; } = T0;

        public Engine Engine { get; }

        public List<EngineInstance> Copies { get; } = [];

        /// <summary>Images whose copies exit at once when started.</summary>
        public HashSet<string> Broken { get; } = [];

        public int Up => Copies.Count(c => c.IsActive);

        public int Healthy => Copies.Count(c => c.IsActive && RollingUpdate.IsHealthy(c.State, c.RunningSince, RollingUpdate.HealthySince(Engine, Now)));

        public int Current(string image) => Copies.Count(c => c.IsActive && c.Image == image);

        public static EngineSpec Spec(string image, int desired, UpdatePolicy policy) =>
            new("asr", image, new Resources(1000, 1024, 0, 0), 0, 0, 50, desired, new Dictionary<string, string>(), Update: policy);

        public void Change(string image, int desired)
        {
            if (Engine.Update(Spec(image, desired, Engine.UpdatePolicy), Now))
            {
                _revisions[Engine.Revision] = EngineRevision.Of(Engine, Now);
            }
        }

        /// <summary>One step: the clock moves, launched copies start (or crash), each host's round decides and applies, the sweep looks.</summary>
        public void Run(Action<Cluster, int> afterEachRound)
        {
            Now += Step;
            foreach (var copy in Copies.Where(c => c.State == EngineInstanceState.Pending).ToList())
            {
                copy.ContainerSeen("c-" + copy.Id, Now);
                if (Broken.Contains(copy.Image) && copy.ContainerExited(1, Now))
                {
                    EngineCounts.Release([copy], new Dictionary<Guid, Engine> { [Engine.Id] = Engine }, Now, Backoff);
                }
                else
                {
                    copy.Register(Now);
                }
            }

            foreach (var host in _hosts)
            {
                var healthyBefore = Healthy;
                Round(host);
                afterEachRound(this, healthyBefore);
            }

            if (Engine.ObserveRollout(RollingUpdate.Count(Engine, CopiesForRollout(), Now).CurrentHealthy, Now) && Engine.StableRevision is { } stable)
            {
                Engine.RollBack(_revisions[stable], Copies.Count(c => c.IsActive && c.Revision == stable), automatic: true, Now);
            }
        }

        private IEnumerable<RolloutCopy> CopiesForRollout() => Copies.Where(c => c.IsUp).Select(c => new RolloutCopy(c.Revision, c.State, c.RunningSince, c.Displaced));

        private void Round(Guid hostId)
        {
            var here = Copies.Where(c => c.HostId == hostId && c.HoldsResources).ToList();
            var placed = here.Select(c => new PlacedInstance(c.Id, c.EngineId, c.State, c.Resources, [], c.CreatedAt, c.Displaced, c.Busy, c.Revision, c.RunningSince)).ToList();
            var host = new HostSnapshot(hostId, HostRole.Active, new Resources(8000, 8192, 0, 0), null, new Dictionary<string, string>(), [], placed);
            var e = Engine;
            var outdatedHere = here.Any(c => c.IsActive && c.Revision != e.Revision);
            var demand = new EngineDemand(e.Id, e.Name, e.Priority, e.Resources, e.HostLabels, e.Deficit, e.Surplus, false, e.InBackoffAt(Now), e.Target, true)
            {
                Target = e.Target,
                Revision = e.Revision,
                Rollout = outdatedHere ? RollingUpdate.Demand(e, RollingUpdate.Count(e, CopiesForRollout(), Now).Healthy, Now) : null,
            };
            var decision = Scheduler.Decide(host, [demand], PlacementPolicy.Binpack);
            var byId = here.ToDictionary(c => c.Id);
            var left = decision.Stops.Where(s => byId[s.InstanceId].RequestStop(s.Reason, Now)).Select(s => byId[s.InstanceId]).ToList();
            EngineCounts.Release(left, new Dictionary<Guid, Engine> { [e.Id] = e }, Now, backoff: null);
            foreach (var launch in decision.Launches)
            {
                Copies.Add(EngineInstance.Launch(Guid.NewGuid(), e, hostId, [], Guid.NewGuid(), Now));
            }
        }
    }

    private static UpdatePolicy Policy(string surge, string unavailable, bool autoRevert = false) =>
        UpdatePolicy.Create(surge, unavailable, healthyAfterSeconds: 10, progressDeadlineSeconds: 120, autoRevert);

    /// <summary>Steps until the rollout ends (or <paramref name="steps"/> pass), checking the bounds after every host's round.</summary>
    private static void RollOut(Cluster cluster, int steps = 100, Action<Cluster, int>? atStep = null)
    {
        var upBefore = cluster.Up;
        for (var step = 0; step < steps && cluster.Engine.RollingOut; step++)
        {
            atStep?.Invoke(cluster, step);
            cluster.Run((c, healthyBefore) =>
            {
                // Up: a scale-down leaves more copies than the new bound until they are stopped, never more than before.
                // Healthy: a scale-up starts below the new bound; no round takes copies below it (or lower, when below).
                var desired = c.Engine.DesiredInstances;
                var policy = c.Engine.UpdatePolicy;
                Assert.That(c.Up, Is.LessThanOrEqualTo(Math.Max(desired + policy.SurgeFor(desired), upBefore)), $"step {step}: at most desired + maxSurge up");
                Assert.That(c.Healthy, Is.GreaterThanOrEqualTo(Math.Min(desired - policy.UnavailableFor(desired), healthyBefore)), $"step {step}: at least desired − maxUnavailable healthy");
                upBefore = c.Up;
            });
        }

        Assert.That(cluster.Engine.RollingOut, Is.False, "the rollout ended");
    }

    private static Cluster Running(int desired, UpdatePolicy policy)
    {
        var cluster = new Cluster(desired, policy);
        for (var step = 0; step < 5; step++)
        {
            cluster.Run((_, _) => { });
        }

        Assert.That(cluster.Healthy, Is.EqualTo(desired));
        return cluster;
    }

    [TestCase(6, "1", "0")]
    [TestCase(6, "0", "1")]
    [TestCase(6, "2", "2")]
    [TestCase(10, "25%", "25%")]
    [TestCase(10, "25%", "0")]
    [TestCase(4, "100%", "0")]
    [TestCase(3, "0%", "10%")] // both round to 0: the surge is one, so that the rollout moves
    [TestCase(5, "0", "100%")]
    public void ARollout_StaysWithinItsBounds_AndEndsWithTheDesiredCountOfTheNewRevision(int desired, string surge, string unavailable)
    {
        var cluster = Running(desired, Policy(surge, unavailable));

        cluster.Change("registry/asr:2", desired);
        Assert.That((cluster.Engine.Revision, cluster.Engine.OutdatedInstances, cluster.Engine.RollingOut), Is.EqualTo((2, desired, true)));
        RollOut(cluster);

        Assert.That((cluster.Current("registry/asr:2"), cluster.Up), Is.EqualTo((desired, desired)));
        Assert.That(cluster.Engine.StableRevision, Is.EqualTo(2));
        Assert.That(cluster.Engine.PeekEvents().Select(e => e.Type), Does.Contain("engine.update_completed"));
    }

    [TestCase(6, 9)]
    [TestCase(6, 2)]
    public void AScaleChangeInTheMiddle_KeepsTheBoundsOfTheNewCount_AndEndsAtIt(int desired, int scaledTo)
    {
        var cluster = Running(desired, Policy("1", "0"));
        cluster.Change("registry/asr:2", desired);

        RollOut(cluster, atStep: (c, step) =>
        {
            if (step == 3)
            {
                c.Change("registry/asr:2", scaledTo);
                Assert.That(c.Engine.Revision, Is.EqualTo(2), "a new count is no new revision");
            }
        });

        Assert.That((cluster.Current("registry/asr:2"), cluster.Up), Is.EqualTo((scaledTo, scaledTo)));
    }

    [Test]
    public void ANewChangeInTheMiddle_RollsOutTheNewestRevision_OverCopiesOfBothEarlierOnes()
    {
        var cluster = Running(6, Policy("2", "1"));
        cluster.Change("registry/asr:2", 6);

        RollOut(cluster, atStep: (c, step) =>
        {
            if (step == 4)
            {
                Assert.That(c.Current("registry/asr:2"), Is.GreaterThan(0), "some copies of revision 2 run when revision 3 comes");
                c.Change("registry/asr:3", 6);
                Assert.That((c.Engine.Revision, c.Engine.CurrentInstances, c.Engine.StableRevision), Is.EqualTo((3, 0, 1)), "revision 1 stays the stable one");
            }
        });

        Assert.That((cluster.Current("registry/asr:3"), cluster.Up), Is.EqualTo((6, 6)));
    }

    [Test]
    public void ARevisionThatCrashes_PausesTheRollout_AndAutoRevertGoesBack_WithTheOldCopiesNeverBelowDesired()
    {
        var cluster = Running(4, Policy("1", "0", autoRevert: true));
        cluster.Broken.Add("registry/asr:2");
        cluster.Change("registry/asr:2", 4);

        RollOut(cluster, steps: 200);

        var events = cluster.Engine.PeekEvents().Select(e => (e.Type, e.Reason)).ToList();
        Assert.That(events, Does.Contain(("engine.update_paused", "crash_loop")).And.Contain(("engine.update_reverted", "auto_revert")));
        Assert.That((cluster.Engine.Revision, cluster.Engine.Image, cluster.Engine.InBackoffAt(cluster.Now)), Is.EqualTo((1, "registry/asr:1", false)));
        Assert.That((cluster.Current("registry/asr:1"), cluster.Up), Is.EqualTo((4, 4)));
    }

    [Test]
    public void WithoutAutoRevert_ACrashingRevisionPauses_AndHealthyOutdatedCopiesKeepRunning()
    {
        var cluster = Running(4, Policy("1", "1"));
        cluster.Broken.Add("registry/asr:2");
        cluster.Change("registry/asr:2", 4);

        for (var step = 0; step < 60; step++)
        {
            cluster.Run((_, _) => { });
        }

        Assert.That((cluster.Engine.RollingOut, cluster.Engine.RolloutPausedReason), Is.EqualTo((true, "crash_loop")));
        Assert.That(cluster.Healthy, Is.GreaterThanOrEqualTo(3), "no more than maxUnavailable below desired");
        Assert.That(cluster.Current("registry/asr:1"), Is.GreaterThanOrEqualTo(3));
        Assert.That(cluster.Engine.RevertWanted, Is.False);
    }

    [Test]
    public void NoProgressWithinTheDeadline_Pauses()
    {
        var policy = UpdatePolicy.Create("1", "0", healthyAfterSeconds: 10, progressDeadlineSeconds: 30, autoRevert: false);
        var engine = Engine.Create(Guid.NewGuid(), Cluster.Spec("registry/asr:1", 2, policy), T0);
        engine.ReserveInstance();
        engine.ReserveInstance();
        engine.Update(Cluster.Spec("registry/asr:2", 2, policy), T0);

        Assert.That(engine.ObserveRollout(0, T0.AddSeconds(29)), Is.False);
        Assert.That(engine.RolloutPausedReason, Is.Null);
        engine.ObserveRollout(0, T0.AddSeconds(30));
        Assert.That(engine.RolloutPausedReason, Is.EqualTo("progress_deadline"));
        Assert.That(RollingUpdate.HealthyStopsAllowed(engine, healthy: 3), Is.Zero, "a paused rollout stops no healthy copy");

        engine.ReserveInstance();
        engine.ObserveRollout(1, T0.AddSeconds(40));
        Assert.That(engine.RolloutPausedReason, Is.Null, "progress resumes it");
    }

    [Test]
    public void AnAdminsPause_HoldsTheRollout_NeitherRevertingNorResumingOnItsOwn_UntilResumed()
    {
        var policy = UpdatePolicy.Create("1", "0", healthyAfterSeconds: 10, progressDeadlineSeconds: 30, autoRevert: true);
        var engine = Engine.Create(Guid.NewGuid(), Cluster.Spec("registry/asr:1", 2, policy), T0);
        var none = Assert.Throws<DomainException>(() => engine.PauseRollout(T0));
        Assert.That(none!.ErrorId, Is.EqualTo("engine_rollout_none"));

        engine.ReserveInstance();
        engine.ReserveInstance();
        engine.Update(Cluster.Spec("registry/asr:2", 2, policy), T0);
        Assert.That(Assert.Throws<DomainException>(() => engine.ResumeRollout(T0))!.ErrorId, Is.EqualTo("engine_rollout_not_paused"));
        engine.PauseRollout(T0.AddSeconds(1));
        engine.PauseRollout(T0.AddSeconds(2));
        var pauses = engine.TakeEvents().Where(e => e.Type == ClusterEventTypes.EngineUpdatePaused).ToList();
        Assert.That(pauses, Has.Count.EqualTo(1), "pausing again changes nothing");
        Assert.That(pauses[0].Message, Does.Contain("until it is resumed").And.Not.Contain("going back"));
        Assert.That((engine.RolloutPausedReason, RollingUpdate.HealthyStopsAllowed(engine, healthy: 3)), Is.EqualTo((Engine.PausedByAdmin, 0)));

        engine.ReserveInstance();
        Assert.That(engine.ObserveRollout(1, T0.AddSeconds(40)), Is.False, "no revert, although autoRevert is set");
        Assert.That(engine.ObserveRollout(1, T0.AddSeconds(100)), Is.False);
        Assert.That((engine.RolloutPausedReason, engine.RevertWanted), Is.EqualTo((Engine.PausedByAdmin, false)), "neither progress nor the deadline changes it");

        engine.ResumeRollout(T0.AddSeconds(100));
        Assert.That((engine.RolloutPausedReason, RollingUpdate.HealthyStopsAllowed(engine, healthy: 3)), Is.EqualTo(((string?)null, 1)));
        Assert.That(engine.ObserveRollout(1, T0.AddSeconds(129)), Is.False);
        Assert.That(engine.RolloutPausedReason, Is.Null, "its deadline counts from the resume");
        Assert.That(engine.TakeEvents().Select(e => e.Type), Does.Contain(ClusterEventTypes.EngineUpdateResumed));
    }

    [Test]
    public void AResume_LetsACrashLoopPausedRolloutTryAgain()
    {
        var engine = Engine.Create(Guid.NewGuid(), Cluster.Spec("registry/asr:1", 1, UpdatePolicy.Default), T0);
        engine.ReserveInstance();
        engine.Update(Cluster.Spec("registry/asr:2", 1, UpdatePolicy.Default), T0);
        for (var round = 0; round < UpdatePolicy.CrashLoopFailures; round++)
        {
            engine.RecordRevisionFailure(T0);
        }

        Assert.That(engine.RolloutPausedReason, Is.EqualTo("crash_loop"));
        engine.ResumeRollout(T0.AddSeconds(5));
        Assert.That((engine.RolloutPausedReason, engine.RolloutFailures), Is.EqualTo(((string?)null, 0)));
        engine.RecordRevisionFailure(T0.AddSeconds(10));
        Assert.That(engine.RolloutPausedReason, Is.Null, "its failures start again from none");
    }

    [Test]
    public void ChangesThatDoNotTouchTheCopies_MakeNoRevision()
    {
        var engine = Engine.Create(Guid.NewGuid(), Cluster.Spec("registry/asr:1", 2, UpdatePolicy.Default), T0);
        engine.ReserveInstance();

        Assert.That(engine.Update(Cluster.Spec("registry/asr:1", 5, Policy("3", "1")) with { Priority = 9 }, T0), Is.False);
        Assert.That(engine.Update(Cluster.Spec("registry/asr:1", 5, UpdatePolicy.Default) with { Runtime = EngineRuntime.Create(null, null, 5) }, T0), Is.False,
            "the stop grace is not what a copy runs");
        Assert.That((engine.Revision, engine.RollingOut), Is.EqualTo((1, false)));

        Assert.That(engine.Update(Cluster.Spec("registry/asr:1", 5, UpdatePolicy.Default) with { Runtime = EngineRuntime.Create(null, new Dictionary<string, string> { ["A"] = "1" }, 5) }, T0), Is.True);
        Assert.That((engine.Revision, engine.LastRevision, engine.RollingOut, engine.OutdatedInstances), Is.EqualTo((2, 2, true, 1)));
    }

    [TestCase(true, Scheduler.ReasonRollingUpdate, 29, true)]
    [TestCase(true, Scheduler.ReasonRollingUpdate, 30, false)]
    [TestCase(false, Scheduler.ReasonRollingUpdate, 0, false)]
    [TestCase(true, Scheduler.ReasonScaledDown, 0, false)]
    [TestCase(true, Scheduler.ReasonPreempted, 0, false)]
    public void ABusyCopyStoppedByTheRollout_FinishesItsWork_WithinItsStopGrace(bool busy, string reason, int secondsLater, bool finishes)
    {
        var engine = Engine.Create(Guid.NewGuid(), Cluster.Spec("registry/asr:1", 1, UpdatePolicy.Default), T0);
        var copy = EngineInstance.Launch(Guid.NewGuid(), engine, Guid.NewGuid(), [], Guid.NewGuid(), T0);
        copy.Register(T0);
        copy.Heartbeat(busy, T0);
        Assert.That(RollingUpdate.FinishesWork(copy, T0), Is.False, "running: nothing to finish");

        copy.RequestStop(reason, T0);
        Assert.That(RollingUpdate.FinishesWork(copy, T0.AddSeconds(secondsLater)), Is.EqualTo(finishes));
        Assert.That(RollingUpdate.ExtraStopTime(copy), Is.EqualTo(reason == Scheduler.ReasonRollingUpdate && busy ? TimeSpan.FromSeconds(30) : TimeSpan.Zero));

        copy.Heartbeat(busy: !busy, T0.AddSeconds(1));
        Assert.That(RollingUpdate.FinishesWork(copy, T0.AddSeconds(secondsLater)), Is.EqualTo(finishes), "as it was when stopped: its engine ends it");
    }

    [TestCase("1", false, 1)]
    [TestCase("25%", true, 25)]
    [TestCase("100%", true, 100)]
    public void CopyAmount_ParsesCountsAndPercentages(string text, bool percent, int value) =>
        Assert.That(CopyAmount.Parse(text), Is.EqualTo(new CopyAmount(value, percent)));

    [TestCase("")]
    [TestCase("-1")]
    [TestCase("101%")]
    [TestCase("1.5")]
    [TestCase("%")]
    [TestCase(" 1")]
    public void CopyAmount_RefusesWhatIsNeither(string text) => Assert.That(CopyAmount.Parse(text), Is.Null);

    [Test]
    public void Percentages_RoundTheSurgeUp_AndTheUnavailabilityDown()
    {
        var policy = Policy("25%", "25%");
        Assert.That((policy.SurgeFor(10), policy.UnavailableFor(10)), Is.EqualTo((3, 2)));
        Assert.That((UpdatePolicy.Default.SurgeFor(1), UpdatePolicy.Default.UnavailableFor(1)), Is.EqualTo((1, 0)));
    }
}
