using Controller.Application.Hosts.FastPath;
using Controller.Application.Hosts.Models;
using Controller.Domain.Common;
using Controller.Domain.Engines;

namespace Controller.Application.Tests.Hosts.FastPath;

public sealed class SteadyStateCacheTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(60);
    private static readonly HostStatusAnswer Steady = new(HostMode.Continue, 5, [], []);

    [Test]
    public void Lifetime_IsBetweenHalfAndAllOfTheMaxAge_AndSpreadOverHostsDecidedTogether()
    {
        var lifetimes = Enumerable.Range(0, 1000).Select(_ => SteadyStateCache.Lifetime(Guid.NewGuid(), Now, MaxAge)).ToList();

        Assert.That(lifetimes, Has.All.InRange(MaxAge / 2, MaxAge));
        // Decided in the same instant, they come back over the whole second half, not together.
        Assert.That(lifetimes.Count(l => l < MaxAge * 0.55), Is.InRange(50, 150));
        Assert.That(lifetimes.Count(l => l > MaxAge * 0.95), Is.InRange(50, 150));
    }

    [Test]
    public void AnAnswerHoldsForItsLifetime_ThenAFullRoundIsDue()
    {
        var cache = new SteadyStateCache();
        var hostId = Guid.NewGuid();
        cache.Remember(hostId, State(Now), cache.Stamp());
        var lifetime = SteadyStateCache.Lifetime(hostId, Now, MaxAge);

        Assert.That(cache.Answer(hostId, string.Empty, [], Now + lifetime, MaxAge), Is.SameAs(Steady));
        Assert.That(cache.Answer(hostId, string.Empty, [], Now + lifetime + TimeSpan.FromMilliseconds(1), MaxAge), Is.Null);
        Assert.That(cache.Answer(hostId, "other containers", [], Now, MaxAge), Is.Null);
    }

    [Test]
    public void AnEngineThatCouldUseTheHost_CallsForARound_UnlessPlacementIsDeferred()
    {
        var cache = new SteadyStateCache();
        var hostId = Guid.NewGuid();
        cache.Remember(hostId, State(Now), cache.Stamp());
        var wanting = Engine.Create(Guid.NewGuid(), new EngineSpec("e", "i", new Resources(1000, 256, 0, 0), 0, 1, 1, 1, new Dictionary<string, string>()), Now);

        Assert.That(cache.Answer(hostId, string.Empty, [wanting], Now, MaxAge), Is.Null);
        Assert.That(cache.Answer(hostId, string.Empty, [wanting], Now, MaxAge, deferPlacement: true), Is.SameAs(Steady));
    }

    [Test]
    public void AFullHost_WithCopiesAHigherPriorityEngineMayPreempt_CallsForARound_OtherwiseNot()
    {
        var cache = new SteadyStateCache();
        var hostId = Guid.NewGuid();
        EngineSpec Spec(string name, int priority, int desired, bool preemptible = true) =>
            new(name, "i", new Resources(8000, 256, 0, 0), priority, 0, 4, desired, new Dictionary<string, string>(), Preemptible: preemptible);
        var low = Engine.Create(Guid.NewGuid(), Spec("low", 10, 1), Now);
        var pinned = Engine.Create(Guid.NewGuid(), Spec("pinned", 10, 1, preemptible: false), Now);
        var urgent = Engine.Create(Guid.NewGuid(), Spec("urgent", 100, 1), Now);
        var peer = Engine.Create(Guid.NewGuid(), Spec("peer", 10, 1), Now);

        cache.Remember(hostId, State(Now, low.Id), cache.Stamp());
        Assert.That(cache.Answer(hostId, string.Empty, [low, urgent], Now, MaxAge), Is.Null, "urgent may preempt low here");
        Assert.That(cache.Answer(hostId, string.Empty, [low, peer], Now, MaxAge), Is.SameAs(Steady), "an equal priority never preempts");

        urgent.RecordPreemption("h", [("low", 10)], TimeSpan.FromMinutes(1), Now);
        Assert.That(cache.Answer(hostId, string.Empty, [low, urgent], Now, MaxAge), Is.SameAs(Steady), "its one missing copy has a preemption under way");

        cache.Remember(hostId, State(Now, pinned.Id), cache.Stamp());
        Assert.That(cache.Answer(hostId, string.Empty, [pinned, Engine.Create(Guid.NewGuid(), Spec("other", 100, 1), Now)], Now, MaxAge), Is.SameAs(Steady),
            "copies that may not be preempted");
    }

    [Test]
    public void CopiesToStopHere_AreNeverDeferred()
    {
        var cache = new SteadyStateCache();
        var hostId = Guid.NewGuid();
        var spec = new EngineSpec("e", "i", new Resources(1000, 256, 0, 0), 0, 0, 1, 1, new Dictionary<string, string>());
        var engine = Engine.Create(Guid.NewGuid(), spec, Now);
        engine.ReserveInstance();
        engine.Update(spec with { DesiredInstances = 0 }, Now); // one copy counted, none desired: a surplus
        cache.Remember(hostId, State(Now, engine.Id), cache.Stamp());

        Assert.That(cache.Answer(hostId, string.Empty, [engine], Now, MaxAge, deferPlacement: true), Is.Null);
    }

    [Test]
    public void CopiesOfAnEngineWhoseLabelsNoLongerMatchTheHost_CallForARound()
    {
        var cache = new SteadyStateCache();
        var hostId = Guid.NewGuid();
        var spec = new EngineSpec("e", "i", new Resources(1000, 256, 0, 0), 0, 0, 1, 1, new Dictionary<string, string> { ["zone"] = "a" });
        var engine = Engine.Create(Guid.NewGuid(), spec, Now);
        engine.ReserveInstance();
        cache.Remember(hostId, State(Now, engine.Id) with { Labels = new Dictionary<string, string> { ["zone"] = "a" } }, cache.Stamp());
        Assert.That(cache.Answer(hostId, string.Empty, [engine], Now, MaxAge), Is.SameAs(Steady));

        engine.Update(spec with { HostLabels = new Dictionary<string, string> { ["zone"] = "b" } }, Now);

        Assert.That(cache.Answer(hostId, string.Empty, [engine], Now, MaxAge, deferPlacement: true), Is.Null, "its copy here is to move");
    }

    [Test]
    public void ARollout_CallsForARoundOnlyWhereOutdatedCopiesRun_AndNotWhileItIsPaused()
    {
        var cache = new SteadyStateCache();
        var (outdatedHere, currentHere) = (Guid.NewGuid(), Guid.NewGuid());
        var spec = new EngineSpec("e", "registry/e:1", new Resources(1000, 256, 0, 0), 0, 0, 4, 2, new Dictionary<string, string>(),
            Update: UpdatePolicy.Create("0", "1", 0, 600, false));
        var engine = Engine.Create(Guid.NewGuid(), spec, Now);
        engine.ReserveInstance();
        engine.ReserveInstance();
        engine.Update(spec with { Image = "registry/e:2" }, Now);
        engine.ReleaseInstance(1);
        engine.ReserveInstance(); // one copy replaced: one of revision 1 left (here), one of revision 2 (there)
        cache.Remember(outdatedHere, State(Now, engine.Id) with { RevisionsHere = new HashSet<(Guid, int)> { (engine.Id, 1) } }, cache.Stamp());
        cache.Remember(currentHere, State(Now, engine.Id) with { RevisionsHere = new HashSet<(Guid, int)> { (engine.Id, 2) } }, cache.Stamp());

        Assert.That((engine.OutdatedInstances, engine.Deficit, engine.Surplus), Is.EqualTo((1, 0, 0)));
        Assert.That(cache.Answer(outdatedHere, string.Empty, [engine], Now, MaxAge), Is.Null, "its outdated copy may be replaced");
        Assert.That(cache.Answer(currentHere, string.Empty, [engine], Now, MaxAge), Is.SameAs(Steady), "nothing for the rollout to do here");

        for (var round = 0; round < UpdatePolicy.CrashLoopFailures; round++)
        {
            engine.RecordRevisionFailure(Now);
        }

        Assert.That(engine.RolloutPausedReason, Is.EqualTo("crash_loop"));
        Assert.That(cache.Answer(outdatedHere, string.Empty, [engine], Now, MaxAge), Is.SameAs(Steady), "a paused rollout replaces no healthy copy");
    }

    [Test]
    public void ARoundThatReadBeforeAForget_DoesNotRememberItsAnswer_OneThatReadAfterDoes()
    {
        var cache = new SteadyStateCache();
        var hostId = Guid.NewGuid();
        var readBefore = cache.Stamp();

        cache.Forget(hostId); // a change to the host committed while the round worked
        cache.Remember(hostId, State(Now), readBefore);

        Assert.That(cache.Answer(hostId, string.Empty, [], Now, MaxAge), Is.Null, "the round's answer was older than the change");
        cache.Remember(hostId, State(Now), cache.Stamp());
        Assert.That(cache.Answer(hostId, string.Empty, [], Now, MaxAge), Is.SameAs(Steady));
        Assert.That(cache.Answer(Guid.NewGuid(), string.Empty, [], Now, MaxAge), Is.Null);
    }

    [Test]
    public void AChangeSeenFromAnotherReplica_ForgetsAnAnswerDecidedBeforeIt_KeepsOneDecidedAfter()
    {
        var cache = new SteadyStateCache();
        var (before, after) = (Guid.NewGuid(), Guid.NewGuid());
        cache.Remember(before, State(Now), cache.Stamp());
        cache.Remember(after, State(Now + TimeSpan.FromSeconds(10)), cache.Stamp());

        cache.ForgetDecidedBefore(before, Now + TimeSpan.FromSeconds(5));
        cache.ForgetDecidedBefore(after, Now + TimeSpan.FromSeconds(5));

        Assert.That(cache.Answer(before, string.Empty, [], Now, MaxAge), Is.Null);
        Assert.That(cache.Answer(after, string.Empty, [], Now + TimeSpan.FromSeconds(10), MaxAge), Is.SameAs(Steady));
    }

    [Test]
    public void AHostNoLongerActive_IsForgotten_AndARoundThatReadBeforeDoesNotBringItBack()
    {
        var cache = new SteadyStateCache();
        var hostId = Guid.NewGuid();
        cache.Remember(hostId, State(Now), cache.Stamp());
        var readBefore = cache.Stamp();

        cache.KeepOnly(new HashSet<Guid>());
        cache.Remember(hostId, State(Now), readBefore);

        Assert.That(cache.Answer(hostId, string.Empty, [], Now, MaxAge), Is.Null);
    }

    private static SteadyState State(DateTimeOffset at, params Guid[] enginesHere) =>
        new(string.Empty, Steady, at, enginesHere.ToHashSet(), new Resources(4000, 4096, 0, 0), new Dictionary<string, string>());
}
