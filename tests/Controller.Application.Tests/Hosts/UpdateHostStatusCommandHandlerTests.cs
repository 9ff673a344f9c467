using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Models;
using Controller.Application.Common.Options;
using Controller.Application.Hosts.Commands.UpdateHostStatus;
using Controller.Application.Hosts.FastPath;
using Controller.Application.Hosts.Models;
using Controller.Application.Tests.Common;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moq;

namespace Controller.Application.Tests.Hosts;

/// <summary>The status handler with its processor (the database mocked): a steady report from memory, any other through a batch.</summary>
public sealed class UpdateHostStatusCommandHandlerTests
{
    private StatusRoundFixture _f = null!;
    private StatusProcessor _processor = null!;
    private TaskCompletionSource? _holdSaves;

    [SetUp]
    public void SetUp()
    {
        _f = new StatusRoundFixture();
        _f.UnitOfWork.Setup(u => u.SaveChangesAsync(It.IsAny<CancellationToken>())).Returns(() => _holdSaves?.Task ?? Task.CompletedTask);
        _f.Round(); // sets up the view the fast path reads
        _processor = new StatusProcessor(TestScopes.Of(_f.Batch), new DatabaseProfile(1), _f.LastSeen,
            TestMetrics.Create(), _f.Clock, NullLogger<StatusProcessor>.Instance);
    }

    [TearDown]
    public void TearDown() => _processor.Dispose();

    private UpdateHostStatusCommandHandler Handler()
    {
        var intervals = new Mock<IStatusIntervalAdvisor>();
        intervals.Setup(i => i.NextInterval()).Returns(7);
        var steady = new SteadyAnswers(_f.Steady, _f.View.Object, _f.LastSeen, intervals.Object, Options.Create(new SchedulingOptions()), _f.Clock);
        return new UpdateHostStatusCommandHandler(steady, _processor, TestMetrics.Create());
    }

    private void RememberSteady(Domain.Hosts.Host host) =>
        _f.Steady.Remember(host.Id, new SteadyState(SteadyStateCache.Fingerprint([]), new HostStatusAnswer(HostMode.Continue, 5, [], []), _f.Clock.GetUtcNow(),
            new HashSet<Guid>(), host.Capacity, host.Labels), _f.Steady.Stamp());

    [Test]
    public async Task SteadyReport_AnsweredFromMemory_NoRepositoryTouched_LastSeenBuffered()
    {
        var host = _f.AddHost();
        RememberSteady(host);
        _f.Clock.Advance(TimeSpan.FromSeconds(5));

        var answer = await Handler().Handle(StatusRoundFixture.Report(host.Id), CancellationToken.None);

        Assert.That(answer, Is.EqualTo(new HostStatusAnswer(HostMode.Continue, 7, [], [])));
        Assert.That(_f.LastSeen.Drain(), Is.EqualTo(new Dictionary<Guid, DateTimeOffset> { [host.Id] = _f.Clock.GetUtcNow() }));
        _f.Hosts.Verify(h => h.ListAsync(It.IsAny<IReadOnlyCollection<Guid>>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public async Task AReportThatIsNotSteady_RunsARoundInTheProcessor_AndItsLaunchIsAnswered()
    {
        var host = _f.AddHost();
        var engine = _f.AddEngine(copies: 1);

        var answer = await Handler().Handle(StatusRoundFixture.Report(host.Id), CancellationToken.None);

        Assert.That(answer.Launch.Select(l => l.EngineId), Is.EqualTo(new[] { engine.Id }));
        Assert.That(answer.Launch[0].Environment[HostStatusAnswer.InstanceTokenVariable], Is.EqualTo("ctl_secret"), "the agent gets the copy's secret");
        Assert.That(engine.ActiveInstances, Is.EqualTo(1));
        Assert.That(_f.GateUse, Is.EqualTo((1, 1)));
        _f.UnitOfWork.Verify(u => u.SaveChangesAsync(It.IsAny<CancellationToken>()), Times.Once);
    }

    [Test]
    public async Task WhilePlacementIsBusy_ASteadyHostAnEngineCouldUse_IsAnsweredFromMemory_ThenGetsItsCopyOnceItIsNot()
    {
        var busy = Enumerable.Range(0, 2).Select(_ => _f.AddHost()).ToList();
        var steady = _f.AddHost();
        var engine = _f.AddEngine(copies: 3);
        foreach (var host in busy.Append(steady))
        {
            RememberSteady(host);
        }

        // Two reports that take a copy wait for their batch to commit: placement is busy.
        _holdSaves = new TaskCompletionSource();
        var waiting = busy.Select(h => Handler().Handle(StatusRoundFixture.Report(h.Id), CancellationToken.None).AsTask()).ToList();
        while (!_processor.PlacementBusy)
        {
            await Task.Delay(5);
        }

        var deferred = await Handler().Handle(StatusRoundFixture.Report(steady.Id), CancellationToken.None);
        Assert.That(deferred.Launch, Is.Empty, "answered from memory; its copy goes to a later report");
        Assert.That(_f.LastSeen.Drain().ContainsKey(steady.Id), Is.True, "a deferred report is a sign of life like a steady one");

        _holdSaves.SetResult();
        await Task.WhenAll(waiting);
        Assert.That(_processor.PlacementBusy, Is.False);
        var later = await Handler().Handle(StatusRoundFixture.Report(steady.Id), CancellationToken.None);
        Assert.That(later.Launch.Select(l => l.EngineId), Is.EqualTo(new[] { engine.Id }));
    }
}
