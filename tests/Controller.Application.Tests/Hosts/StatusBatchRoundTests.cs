using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Application.Hosts.Commands.UpdateHostStatus;
using Controller.Application.Hosts.FastPath;
using Moq;

namespace Controller.Application.Tests.Hosts;

public sealed class StatusBatchRoundTests
{
    private StatusRoundFixture _f = null!;
    private Mock<IPlacementGate> _gate = null!;
    private int _entered;
    private int _left;

    [SetUp]
    public void SetUp()
    {
        _f = new StatusRoundFixture();
        _entered = _left = 0;
        _gate = new Mock<IPlacementGate>(MockBehavior.Strict);
        _gate.Setup(g => g.EnterAsync(It.IsAny<CancellationToken>())).ReturnsAsync(() =>
        {
            _entered++;
            return new Releaser(() => _left++);
        });
        _f.UnitOfWork.Setup(u => u.SaveChangesAsync(It.IsAny<CancellationToken>())).Returns(Task.CompletedTask);
    }

    private StatusBatchRound Batch() => new(_f.Round(), _f.Engines.Object, _f.Hosts.Object, _f.Instances.Object, _f.UnitOfWork.Object, _gate.Object);

    private static StatusCall Call(Guid hostId) => new(StatusRoundFixture.Report(hostId), SteadyStateCache.Fingerprint([]));

    [Test]
    public async Task RoundsDecideInTurnOnTheSameEngineRows_OneGateOneReadOfEachKindOneSave()
    {
        var engine = _f.AddEngine(copies: 2);
        var hosts = Enumerable.Range(0, 3).Select(_ => _f.AddHost()).ToList();

        var answers = await Batch().RunAsync([.. hosts.Select(h => Call(h.Id))], CancellationToken.None);

        // Each round saw the copies the ones before it launched: two copies for a deficit of two, not three.
        Assert.That(answers.Select(a => a!.Launch.Count), Is.EqualTo(new[] { 1, 1, 0 }));
        Assert.That(_f.Launched.Select(i => i.HostId), Is.EqualTo(hosts.Take(2).Select(h => h.Id)));
        Assert.That(engine.ActiveInstances, Is.EqualTo(2));
        Assert.That((_entered, _left), Is.EqualTo((1, 1)));
        _f.Engines.Verify(e => e.ListLiveForUpdateAsync(It.IsAny<CancellationToken>()), Times.Once);
        _f.Hosts.Verify(h => h.ListAsync(It.IsAny<IReadOnlyCollection<Guid>>(), It.IsAny<CancellationToken>()), Times.Once);
        _f.Hosts.Verify(h => h.FindAsync(It.IsAny<Guid>(), It.IsAny<CancellationToken>()), Times.Never);
        _f.Instances.Verify(i => i.ListHoldingForHostsAsync(It.IsAny<IReadOnlyCollection<Guid>>(), It.IsAny<CancellationToken>()), Times.Once);
        _f.Instances.Verify(i => i.ListHoldingForHostAsync(It.IsAny<Guid>(), It.IsAny<CancellationToken>()), Times.Never);
        _f.UnitOfWork.Verify(u => u.SaveChangesAsync(It.IsAny<CancellationToken>()), Times.Once);
    }

    [Test]
    public async Task AHostTwiceOrUnknown_IsLeftToRunOnItsOwn_TheOthersAreAnswered()
    {
        _f.AddEngine(copies: 2);
        var host = _f.AddHost();
        var other = _f.AddHost();
        var unknown = Guid.CreateVersion7();

        var answers = await Batch().RunAsync([Call(host.Id), Call(unknown), Call(host.Id), Call(other.Id)], CancellationToken.None);

        Assert.That(answers.Select(a => a is null), Is.EqualTo(new[] { false, true, true, false }));
        Assert.That(_f.Launched.Select(i => i.HostId), Is.EqualTo(new[] { host.Id, other.Id }));
        _f.UnitOfWork.Verify(u => u.SaveChangesAsync(It.IsAny<CancellationToken>()), Times.Once);
    }

    [Test]
    public async Task RoundsThatChangeNoCounts_EnterNoGate_ReadNoEngineRows_OneSave()
    {
        var hosts = Enumerable.Range(0, 3).Select(_ => _f.AddHost()).ToList();

        var answers = await Batch().RunAsync([.. hosts.Select(h => Call(h.Id))], CancellationToken.None);

        Assert.That(answers.Select(a => a!.Launch.Count + a.Terminate.Count), Is.EqualTo(new[] { 0, 0, 0 }));
        Assert.That(_entered, Is.Zero, "the placement gate is for rounds that change counts");
        _f.Engines.Verify(e => e.ListLiveForUpdateAsync(It.IsAny<CancellationToken>()), Times.Never);
        _f.UnitOfWork.Verify(u => u.SaveChangesAsync(It.IsAny<CancellationToken>()), Times.Once);
    }

    [Test]
    public void ASaveThatLosesARace_Throws_AndTheGateIsLeft()
    {
        _f.AddEngine(copies: 1);
        var host = _f.AddHost();
        _f.UnitOfWork.Setup(u => u.SaveChangesAsync(It.IsAny<CancellationToken>())).ThrowsAsync(new ConcurrencyConflictException("lost", new InvalidOperationException()));

        Assert.ThrowsAsync<ConcurrencyConflictException>(() => Batch().RunAsync([Call(host.Id)], CancellationToken.None));
        Assert.That((_entered, _left), Is.EqualTo((1, 1)));
    }

    private sealed class Releaser(Action release) : IDisposable
    {
        public void Dispose() => release();
    }
}
