using Controller.Application.Common.Exceptions;
using Controller.Application.Hosts.FastPath;
using Controller.Application.Hosts.Models;
using Moq;

namespace Controller.Application.Tests.Hosts;

/// <summary>A batch of status rounds on its own (its collaborators mocked): what it reads, decides, saves and answers.</summary>
public sealed class StatusBatchTests
{
    private StatusRoundFixture _f = null!;

    [SetUp]
    public void SetUp()
    {
        _f = new StatusRoundFixture();
        _f.UnitOfWork.Setup(u => u.SaveChangesAsync(It.IsAny<CancellationToken>())).Returns(Task.CompletedTask);
    }

    [Test]
    public async Task RoundsDecideInTurnOnTheSameEngineRows_OneGateOneReadOfEachKindOneSave()
    {
        var engine = _f.AddEngine(copies: 2);
        var hosts = Enumerable.Range(0, 3).Select(_ => _f.AddHost()).ToList();

        var outcomes = await _f.Batch().RunAsync([.. hosts.Select(h => StatusRoundFixture.Call(h.Id))], CancellationToken.None);

        // Each round saw the copies the ones before it launched: two copies for a deficit of two, not three.
        Assert.That(outcomes.Select(a => a.Answer!.Launch.Count), Is.EqualTo(new[] { 1, 1, 0 }));
        Assert.That(_f.Launched.Select(i => i.HostId), Is.EqualTo(hosts.Take(2).Select(h => h.Id)));
        Assert.That(engine.ActiveInstances, Is.EqualTo(2));
        Assert.That(_f.GateUse, Is.EqualTo((1, 1)));
        _f.Engines.Verify(e => e.ListLiveForUpdateAsync(It.IsAny<CancellationToken>()), Times.Once);
        _f.Hosts.Verify(h => h.ListAsync(It.IsAny<IReadOnlyCollection<Guid>>(), It.IsAny<CancellationToken>()), Times.Once);
        _f.Instances.Verify(i => i.ListHoldingForHostsAsync(It.IsAny<IReadOnlyCollection<Guid>>(), It.IsAny<CancellationToken>()), Times.Once);
        _f.UnitOfWork.Verify(u => u.SaveChangesAsync(It.IsAny<CancellationToken>()), Times.Once);
        var recorded = _f.Recorded[0];
        Assert.That(recorded.Answer, Does.Contain(outcomes[0].Answer!.Launch[0].EngineInstanceId.ToString()).And.Not.Contain("ctl_secret"),
            "the round keeps the answer it gave, without the instance's secret");
    }

    [Test]
    public async Task AHostTwice_WaitsForTheNextBatch_AnUnknownOneIsNotFound_TheOthersAreAnswered()
    {
        _f.AddEngine(copies: 2);
        var host = _f.AddHost();
        var other = _f.AddHost();
        var unknown = Guid.CreateVersion7();

        var outcomes = await _f.Batch().RunAsync([StatusRoundFixture.Call(host.Id), StatusRoundFixture.Call(unknown), StatusRoundFixture.Call(host.Id), StatusRoundFixture.Call(other.Id)],
            CancellationToken.None);

        Assert.That(outcomes[0].Answer, Is.Not.Null);
        Assert.That(outcomes[1].Error, Is.TypeOf<NotFoundException>());
        Assert.That(outcomes[2], Is.EqualTo(default(Application.Common.BatchOutcome<HostStatusAnswer>)), "neither answered nor refused: the next batch");
        Assert.That(outcomes[3].Answer, Is.Not.Null);
        Assert.That(_f.Launched.Select(i => i.HostId), Is.EqualTo(new[] { host.Id, other.Id }));
        _f.UnitOfWork.Verify(u => u.SaveChangesAsync(It.IsAny<CancellationToken>()), Times.Once);
    }

    [Test]
    public async Task RoundsThatChangeNoCounts_EnterNoGate_ReadNoEngineRows_OneSave_SteadyHostsRemembered()
    {
        var hosts = Enumerable.Range(0, 3).Select(_ => _f.AddHost()).ToList();

        var outcomes = await _f.Batch().RunAsync([.. hosts.Select(h => StatusRoundFixture.Call(h.Id))], CancellationToken.None);

        Assert.That(outcomes.Select(a => a.Answer!.Launch.Count + a.Answer.Terminate.Count), Is.EqualTo(new[] { 0, 0, 0 }));
        Assert.That(_f.GateUse.Entered, Is.Zero, "the placement gate is for rounds that change counts");
        _f.Engines.Verify(e => e.ListLiveForUpdateAsync(It.IsAny<CancellationToken>()), Times.Never);
        _f.UnitOfWork.Verify(u => u.SaveChangesAsync(It.IsAny<CancellationToken>()), Times.Once);
        Assert.That(hosts.Select(h => _f.Steady.Answer(h.Id, SteadyStateCache.Fingerprint([]), [], _f.Clock.GetUtcNow(), TimeSpan.FromMinutes(1))), Is.All.Not.Null,
            "steady hosts are remembered for the fast path");
    }

    [Test]
    public async Task ATerminatedHost_IsToldToTerminateAgain_NothingSaved()
    {
        var host = _f.AddHost();
        host.Terminate(_f.Clock.GetUtcNow());
        host.CompleteTermination(_f.Clock.GetUtcNow());

        var outcomes = await _f.Batch().RunAsync([StatusRoundFixture.Call(host.Id)], CancellationToken.None);

        Assert.That(outcomes[0].Answer!.Mode, Is.EqualTo(HostMode.Terminate));
        Assert.That(outcomes[0].Answer!.Launch, Is.Empty);
        _f.UnitOfWork.Verify(u => u.SaveChangesAsync(It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public async Task LaunchesDeferred_ARoundWhoseOnlyChangeWouldBeALaunch_LaunchesNothing_EntersNoGate()
    {
        _f.AddEngine(copies: 1);
        var host = _f.AddHost();

        var outcomes = await _f.Batch().RunAsync([StatusRoundFixture.Call(host.Id) with { DeferLaunches = true }], CancellationToken.None);

        Assert.That(outcomes[0].Answer!.Launch, Is.Empty);
        Assert.That(_f.GateUse.Entered, Is.Zero);
    }

    [Test]
    public void ASaveThatLosesARace_Throws_AndTheGateIsLeft()
    {
        _f.AddEngine(copies: 1);
        var host = _f.AddHost();
        _f.UnitOfWork.Setup(u => u.SaveChangesAsync(It.IsAny<CancellationToken>())).ThrowsAsync(new ConcurrencyConflictException("lost", new InvalidOperationException()));

        Assert.ThrowsAsync<ConcurrencyConflictException>(() => _f.Batch().RunAsync([StatusRoundFixture.Call(host.Id)], CancellationToken.None));
        Assert.That(_f.GateUse, Is.EqualTo((1, 1)));
    }
}
