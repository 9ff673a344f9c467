using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Controller.Application.Hosts.Commands.UpdateHostStatus;
using Controller.Application.Hosts.FastPath;
using Controller.Application.Tests.Common;
using Controller.Domain.Common;
using Microsoft.Extensions.Options;
using Moq;

namespace Controller.Application.Tests.Hosts;

/// <summary>The status handler on its own (its collaborators mocked): what it reads and writes for a report, and where its round runs.</summary>
public sealed class UpdateHostStatusCommandHandlerTests
{
    private StatusRoundFixture _f = null!;
    private LastSeenBuffer _lastSeen = null!;
    private Mock<IStatusRoundBatcher> _batcher = null!;
    private Mock<IStatusWriteBatcher> _writes = null!;
    private Mock<IPlacementGate> _gate = null!;

    [SetUp]
    public void SetUp()
    {
        _f = new StatusRoundFixture();
        _lastSeen = new LastSeenBuffer();
        _batcher = new Mock<IStatusRoundBatcher>(MockBehavior.Strict);
        _batcher.SetupGet(b => b.Queued).Returns(0);
        _writes = new Mock<IStatusWriteBatcher>(MockBehavior.Strict);
        // Unless a test says otherwise the write batch leaves the round out, and it runs in the request as it would alone.
        _writes.Setup(b => b.TryRunAsync(It.IsAny<StatusCall>())).ReturnsAsync((HostStatusAnswer?)null);
        _gate = new Mock<IPlacementGate>(MockBehavior.Strict);
    }

    private UpdateHostStatusCommandHandler Handler(bool batchRounds = true)
    {
        var intervals = new Mock<IStatusIntervalAdvisor>();
        intervals.Setup(i => i.NextInterval()).Returns(7);
        return new UpdateHostStatusCommandHandler(_f.Round(), _f.Hosts.Object, _f.Engines.Object, _f.UnitOfWork.Object, intervals.Object,
            _f.View.Object, _gate.Object, _batcher.Object, _writes.Object, _f.Steady, _lastSeen, Options.Create(new SchedulingOptions { BatchRounds = batchRounds, BatchWrites = true }),
            TestMetrics.Create(), _f.Clock);
    }

    [Test]
    public async Task SteadyReport_AnsweredFromMemory_NoRepositoryTouched_LastSeenBuffered()
    {
        var hostId = Guid.NewGuid();
        var remembered = new HostStatusAnswer(HostMode.Continue, 5, [], []);
        _f.Steady.Remember(hostId, new SteadyState(SteadyStateCache.Fingerprint([]), remembered, _f.Clock.GetUtcNow(), new HashSet<Guid>(), new Resources(1000, 1024, 0, 0), new Dictionary<string, string>()));
        _f.Clock.Advance(TimeSpan.FromSeconds(5));

        var answer = await Handler().Handle(StatusRoundFixture.Report(hostId), CancellationToken.None);

        Assert.That(answer, Is.EqualTo(remembered with { StatusIntervalSeconds = 7 }));
        Assert.That(_lastSeen.Drain(), Is.EqualTo(new Dictionary<Guid, DateTimeOffset> { [hostId] = _f.Clock.GetUtcNow() }));
    }

    [TestCase(1, false, TestName = "ASteadyHostAnEngineCouldUse_GetsARound_WhilePlacementKeepsUp")]
    [TestCase(2, true, TestName = "ASteadyHostAnEngineCouldUse_IsAnsweredFromMemory_WhilePlacementIsBusy")]
    public async Task PlacementDeferredWhileBusy(int queued, bool deferred)
    {
        var host = _f.AddHost();
        _f.AddEngine(copies: 1);
        var remembered = new HostStatusAnswer(HostMode.Continue, 5, [], []);
        _f.Steady.Remember(host.Id, new SteadyState(SteadyStateCache.Fingerprint([]), remembered, _f.Clock.GetUtcNow(), new HashSet<Guid>(), host.Capacity, host.Labels));
        _batcher.SetupGet(b => b.Queued).Returns(queued);
        _f.UnitOfWork.Setup(u => u.Reset());
        _batcher.Setup(b => b.TryRunAsync(It.IsAny<StatusCall>())).ReturnsAsync(new HostStatusAnswer(HostMode.Continue, 7, [], []));

        var answer = await Handler().Handle(StatusRoundFixture.Report(host.Id), CancellationToken.None);

        Assert.That(answer, Is.EqualTo(deferred ? remembered with { StatusIntervalSeconds = 7 } : new HostStatusAnswer(HostMode.Continue, 7, [], [])));
        _batcher.Verify(b => b.TryRunAsync(It.IsAny<StatusCall>()), deferred ? Times.Never() : Times.Once());
        Assert.That(_lastSeen.Drain().ContainsKey(host.Id), Is.EqualTo(deferred), "a deferred report is a sign of life like a steady one");
    }

    [Test]
    public async Task ASteadyHostAnEngineCouldUse_GoesToTheBatchAtOnce_WithoutReadingItsRowsHereFirst()
    {
        var host = _f.AddHost();
        _f.AddEngine(copies: 1);
        _f.Steady.Remember(host.Id, new SteadyState(SteadyStateCache.Fingerprint([]), new HostStatusAnswer(HostMode.Continue, 5, [], []), _f.Clock.GetUtcNow(),
            new HashSet<Guid>(), host.Capacity, host.Labels));
        var batched = new HostStatusAnswer(HostMode.Continue, 7, [], []);
        _batcher.Setup(b => b.TryRunAsync(It.Is<StatusCall>(c => c.Command.HostId == host.Id))).ReturnsAsync(batched);

        var answer = await Handler().Handle(StatusRoundFixture.Report(host.Id), CancellationToken.None);

        Assert.That(answer, Is.SameAs(batched));
        _f.Hosts.Verify(h => h.FindAsync(It.IsAny<Guid>(), It.IsAny<CancellationToken>()), Times.Never);
        _f.Instances.Verify(i => i.ListHoldingForHostAsync(It.IsAny<Guid>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [TestCase(true, TestName = "ASteadyHostWhoseContainersChanged_GoesToTheWriteBatchAtOnce")]
    [TestCase(false, TestName = "AHostWithoutASteadyRound_GoesToTheWriteBatchAtOnce")]
    public async Task ToTheWriteBatch(bool remembered)
    {
        var host = _f.AddHost();
        if (remembered)
        {
            _f.Steady.Remember(host.Id, new SteadyState("c-1|i-1|2||;", new HostStatusAnswer(HostMode.Continue, 5, [], []), _f.Clock.GetUtcNow(),
                new HashSet<Guid>(), host.Capacity, host.Labels));
        }

        var batched = new HostStatusAnswer(HostMode.Continue, 7, [], []);
        _writes.Setup(b => b.TryRunAsync(It.Is<StatusCall>(c => c.Command.HostId == host.Id))).ReturnsAsync(batched);

        var answer = await Handler().Handle(StatusRoundFixture.Report(host.Id), CancellationToken.None);

        Assert.That(answer, Is.SameAs(batched));
        _batcher.Verify(b => b.TryRunAsync(It.IsAny<StatusCall>()), Times.Never);
        _f.Hosts.Verify(h => h.FindAsync(It.IsAny<Guid>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public async Task ASteadyHostDueForItsRefresh_RunsItsRoundHere_NotInABatch()
    {
        var host = _f.AddHost();
        _f.Steady.Remember(host.Id, new SteadyState(SteadyStateCache.Fingerprint([]), new HostStatusAnswer(HostMode.Continue, 5, [], []), _f.Clock.GetUtcNow(),
            new HashSet<Guid>(), host.Capacity, host.Labels));
        _f.Clock.Advance(TimeSpan.FromSeconds(61));
        _f.UnitOfWork.Setup(u => u.OnlyHostsSeen()).Returns(true);

        await Handler().Handle(StatusRoundFixture.Report(host.Id), CancellationToken.None);

        _writes.Verify(b => b.TryRunAsync(It.IsAny<StatusCall>()), Times.Never);
        _f.Hosts.Verify(h => h.FindAsync(host.Id, It.IsAny<CancellationToken>()), Times.Once);
    }

    [Test]
    public async Task AWriteBatchThatLeavesTheRoundOut_RunsItHere()
    {
        var host = _f.AddHost();
        _f.Steady.Remember(host.Id, new SteadyState("c-1|i-1|2||;", new HostStatusAnswer(HostMode.Continue, 5, [], []), _f.Clock.GetUtcNow(),
            new HashSet<Guid>(), host.Capacity, host.Labels));
        _f.UnitOfWork.Setup(u => u.OnlyHostsSeen()).Returns(false);
        _f.UnitOfWork.Setup(u => u.SaveChangesAsync(It.IsAny<CancellationToken>())).Returns(Task.CompletedTask);

        var answer = await Handler().Handle(StatusRoundFixture.Report(host.Id), CancellationToken.None);

        Assert.That(answer.Mode, Is.EqualTo(HostMode.Continue));
        _writes.Verify(b => b.TryRunAsync(It.IsAny<StatusCall>()), Times.Once);
        _f.Hosts.Verify(h => h.FindAsync(host.Id, It.IsAny<CancellationToken>()), Times.Once);
        _f.UnitOfWork.Verify(u => u.SaveChangesAsync(It.IsAny<CancellationToken>()), Times.Once);
    }

    [Test]
    public async Task TerminatedHost_ToldToTerminateAgain_NothingSaved()
    {
        var host = _f.AddHost();
        host.Terminate(_f.Clock.GetUtcNow());
        host.CompleteTermination(_f.Clock.GetUtcNow());

        var answer = await Handler().Handle(StatusRoundFixture.Report(host.Id), CancellationToken.None);

        Assert.That(answer.Mode, Is.EqualTo(HostMode.Terminate));
        Assert.That(answer.Launch, Is.Empty);
        Assert.That(answer.Terminate, Is.Empty);
        _f.UnitOfWork.Verify(u => u.KeepConnectionOpenAsync(It.IsAny<CancellationToken>()));
        _f.UnitOfWork.VerifyNoOtherCalls();
    }

    [Test]
    public async Task ARoundWithNothingToPlace_IsSavedHere_WithoutTheGateOrTheBatcher()
    {
        var host = _f.AddHost();
        _f.UnitOfWork.Setup(u => u.OnlyHostsSeen()).Returns(false);
        _f.UnitOfWork.Setup(u => u.SaveChangesAsync(It.IsAny<CancellationToken>())).Returns(Task.CompletedTask);

        var answer = await Handler().Handle(StatusRoundFixture.Report(host.Id), CancellationToken.None);

        Assert.That(answer.Launch, Is.Empty);
        _f.UnitOfWork.Verify(u => u.SaveChangesAsync(It.IsAny<CancellationToken>()), Times.Once);
        Assert.That(_lastSeen.Drain(), Is.Empty, "the save wrote the time the host was seen");
        Assert.That(_f.Steady.Answer(host.Id, SteadyStateCache.Fingerprint([]), [], _f.Clock.GetUtcNow(), TimeSpan.FromMinutes(1)), Is.Not.Null,
            "a steady host is remembered for the fast path");
    }

    [Test]
    public async Task ARoundThatChangedOnlyTheTimeSeen_WritesNothing_TheTimeGoesToTheBuffer()
    {
        var host = _f.AddHost();
        _f.Clock.Advance(TimeSpan.FromSeconds(30));
        _f.UnitOfWork.Setup(u => u.OnlyHostsSeen()).Returns(true);

        var answer = await Handler().Handle(StatusRoundFixture.Report(host.Id), CancellationToken.None);

        Assert.That(answer.Launch, Is.Empty);
        _f.UnitOfWork.Verify(u => u.SaveChangesAsync(It.IsAny<CancellationToken>()), Times.Never);
        Assert.That(_lastSeen.Drain(), Is.EqualTo(new Dictionary<Guid, DateTimeOffset> { [host.Id] = _f.Clock.GetUtcNow() }));
        Assert.That(_f.Steady.Answer(host.Id, SteadyStateCache.Fingerprint([]), [], _f.Clock.GetUtcNow(), TimeSpan.FromMinutes(1)), Is.Not.Null,
            "a steady host is remembered for the fast path");
    }

    [Test]
    public async Task ARoundThatChangesCounts_IsHandedToTheBatcher_NothingSavedHere()
    {
        var host = _f.AddHost();
        _f.AddEngine(copies: 1);
        var batched = new HostStatusAnswer(HostMode.Continue, 7, [], []);
        _f.UnitOfWork.Setup(u => u.Reset());
        _batcher.Setup(b => b.TryRunAsync(It.Is<StatusCall>(c => c.Command.HostId == host.Id))).ReturnsAsync(batched);

        var answer = await Handler().Handle(StatusRoundFixture.Report(host.Id), CancellationToken.None);

        Assert.That(answer, Is.SameAs(batched));
        _f.UnitOfWork.Verify(u => u.Reset(), Times.Once);
        _f.UnitOfWork.Verify(u => u.SaveChangesAsync(It.IsAny<CancellationToken>()), Times.Never);
        Assert.That(_f.Launched, Is.Empty, "the round here decided nothing on engine rows");
    }

    [TestCase(true, TestName = "ARoundTheBatcherLeavesOut_RunsHereUnderTheGate")]
    [TestCase(false, TestName = "WithBatchRoundsOff_ARoundThatChangesCounts_RunsHereUnderTheGate")]
    public async Task RoundOnItsOwn_UnderTheGate(bool batchRounds)
    {
        var host = _f.AddHost();
        var engine = _f.AddEngine(copies: 1);
        var released = 0;
        _gate.Setup(g => g.EnterAsync(It.IsAny<CancellationToken>())).ReturnsAsync(() => new Releaser(() => released++));
        _f.UnitOfWork.Setup(u => u.Reset());
        _f.UnitOfWork.Setup(u => u.OnlyHostsSeen()).Returns(false);
        _f.UnitOfWork.Setup(u => u.SaveChangesAsync(It.IsAny<CancellationToken>())).Returns(Task.CompletedTask);
        _batcher.Setup(b => b.TryRunAsync(It.IsAny<StatusCall>())).ReturnsAsync((HostStatusAnswer?)null);

        var answer = await Handler(batchRounds).Handle(StatusRoundFixture.Report(host.Id), CancellationToken.None);

        Assert.That(answer.Launch.Select(l => l.EngineId), Is.EqualTo(new[] { engine.Id }));
        Assert.That(engine.ActiveInstances, Is.EqualTo(1));
        Assert.That(released, Is.EqualTo(1), "the gate was entered once and left");
        _f.UnitOfWork.Verify(u => u.SaveChangesAsync(It.IsAny<CancellationToken>()), Times.Once);
        _batcher.Verify(b => b.TryRunAsync(It.IsAny<StatusCall>()), batchRounds ? Times.Once() : Times.Never());
        var recorded = _f.Recorded.Single();
        Assert.That(recorded.HostId, Is.EqualTo(host.Id));
        Assert.That(recorded.Answer, Does.Contain(answer.Launch[0].EngineInstanceId.ToString()).And.Not.Contain("ctl_secret"),
            "the round keeps the answer it gave, without the instance's secret");
    }

    private sealed class Releaser(Action release) : IDisposable
    {
        public void Dispose() => release();
    }
}
