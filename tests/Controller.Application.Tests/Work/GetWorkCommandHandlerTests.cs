using Controller.Application.Scheduling;
using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Controller.Application.Tests.Common;
using Controller.Application.Work.Commands.GetWork;
using Controller.Application.Work.Models;
using Controller.Domain.Common;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Controller.Domain.Hosts;
using Controller.Domain.Work;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace Controller.Application.Tests.Work;

public sealed class GetWorkCommandHandlerTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private Mock<ITaskRepository> _tasks = null!;
    private Mock<IEngineInstanceRepository> _instances = null!;
    private Mock<IEngineRepository> _engines = null!;
    private Mock<IHostRepository> _hosts = null!;
    private Mock<IUnitOfWork> _unitOfWork = null!;
    private Mock<IClusterViewSource> _view = null!;
    private Engine _engine = null!;
    private Host _host = null!;
    private EngineInstance _instance = null!;

    [SetUp]
    public void SetUp()
    {
        var now = _clock.GetUtcNow();
        _engine = Engine.Create(Guid.CreateVersion7(), new EngineSpec("asr", "i", new Resources(1000, 1024, 0, 0), 0, 0, 4, 1, new Dictionary<string, string>()), now);
        _host = Host.Register(Guid.CreateVersion7(), new HostRegistration("m", "h", ["10.0.0.1"], "1", new Dictionary<string, string>(), new Resources(8000, 8192, 0, 0), []), now);
        _instance = EngineInstance.Launch(Guid.CreateVersion7(), _engine, _host.Id, [], Guid.NewGuid(), now);
        _instance.Register(now);

        _tasks = new Mock<ITaskRepository>();
        _instances = new Mock<IEngineInstanceRepository>();
        _engines = new Mock<IEngineRepository>();
        _hosts = new Mock<IHostRepository>();
        _unitOfWork = new Mock<IUnitOfWork>();
        _view = new Mock<IClusterViewSource>();
        _view.Setup(v => v.GetAsync(It.IsAny<CancellationToken>())).ReturnsAsync(() => new ClusterSnapshot(
            [_engine],
            _host.State == HostState.Active ? [new ActiveHostView(_host.Id, new Dictionary<string, string>(), _host.Capacity, Resources.Zero)] : [],
            _clock.GetUtcNow()));
        _instances.Setup(r => r.FindAsync(_instance.Id, It.IsAny<CancellationToken>())).ReturnsAsync(_instance);
        _engines.Setup(r => r.FindAsync(_engine.Id, It.IsAny<CancellationToken>())).ReturnsAsync(_engine);
        _hosts.Setup(r => r.StateOfAsync(_host.Id, It.IsAny<CancellationToken>())).ReturnsAsync(() => _host.State);
        _tasks.Setup(r => r.ListHeldByAsync(_instance.Id, It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>())).ReturnsAsync([]);
        _tasks.Setup(r => r.ClaimQueuedAsync(_engine.Id, It.IsAny<int>(), It.IsAny<CancellationToken>())).ReturnsAsync([]);
        _unitOfWork.Setup(u => u.InTransactionAsync(It.IsAny<Func<CancellationToken, Task<List<WorkItemDto>>>>(), It.IsAny<CancellationToken>()))
            .Returns((Func<CancellationToken, Task<List<WorkItemDto>>> work, CancellationToken ct) => work(ct));
    }

    private GetWorkCommandHandler Handler() => new(
        _tasks.Object, _instances.Object, _engines.Object, _hosts.Object, _unitOfWork.Object, _view.Object,
        TestMetrics.Create(), Options.Create(new WorkOptions()), Options.Create(new SchedulingOptions()), _clock, NoBatches.Object);

    /// <summary>The batcher leaves every call to the single round tested here.</summary>
    private static readonly Mock<IGetWorkBatcher> NoBatches = new();

    private WorkTask Queued(int priority = 0) =>
        WorkTask.Submit(Guid.CreateVersion7(), new TaskSpec(_engine.Id, "{}", priority, 3, 60, null), _clock.GetUtcNow());

    [Test]
    public async Task Handle_ActiveInstance_LeasesWhatTheQueueGives_AndIsBusy()
    {
        var task = Queued();
        _tasks.Setup(r => r.ClaimQueuedAsync(_engine.Id, 2, It.IsAny<CancellationToken>())).ReturnsAsync([task]);

        var answer = await Handler().Handle(new GetWorkCommand(_instance.Id, [], 2), CancellationToken.None);

        Assert.That(answer.Action, Is.EqualTo(WorkAction.Process));
        Assert.That(answer.Items.Select(i => i.TaskId), Is.EqualTo(new[] { task.Id }));
        Assert.That(task.State, Is.EqualTo(WorkTaskState.Leased));
        Assert.That(task.InstanceId, Is.EqualTo(_instance.Id));
        Assert.That(_instance.Busy, Is.True);
    }

    [Test]
    public async Task Handle_TasksHandedOut_TheCopyIsWrittenEvenWithinTheHeartbeatResolution_NothingHandedOut_ItIsNot()
    {
        // A heartbeat a moment ago: within the resolution, a call that takes nothing does not write the copy's row.
        _instance.Heartbeat(busy: false, _clock.GetUtcNow());
        var before = _instance.LastHeartbeatAt;
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        await Handler().Handle(new GetWorkCommand(_instance.Id, [], 1), CancellationToken.None);
        Assert.That(_instance.LastHeartbeatAt, Is.EqualTo(before), "idle: not written");

        // Handed a task: written, so that the save checks the copy's version (a stop committed meanwhile fails it).
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        _tasks.Setup(r => r.ClaimQueuedAsync(_engine.Id, 1, It.IsAny<CancellationToken>())).ReturnsAsync([Queued()]);
        await Handler().Handle(new GetWorkCommand(_instance.Id, [], 1), CancellationToken.None);
        Assert.That(_instance.LastHeartbeatAt, Is.EqualTo(_clock.GetUtcNow()));
    }

    [Test]
    public async Task Handle_HoldingNamed_TasksLeasedButNotNamedGoBack_NamedAreKept()
    {
        var lost = Queued();
        lost.Lease(_instance.Id, _clock.GetUtcNow());
        var kept = Queued();
        kept.Lease(_instance.Id, _clock.GetUtcNow());
        _tasks.Setup(r => r.ListHeldByAsync(_instance.Id, It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>())).ReturnsAsync([lost, kept]);

        var answer = await Handler().Handle(new GetWorkCommand(_instance.Id, null, 0, [kept.Id]), CancellationToken.None);

        Assert.That(lost.State, Is.EqualTo(WorkTaskState.Queued));
        Assert.That(lost.Error, Is.EqualTo(WorkTask.ErrorNotHeld));
        Assert.That(kept.State, Is.EqualTo(WorkTaskState.Leased));
        Assert.That(answer.Action, Is.EqualTo(WorkAction.Wait));
    }

    [Test]
    public async Task Handle_NothingQueued_Waits()
    {
        var answer = await Handler().Handle(new GetWorkCommand(_instance.Id, null, null), CancellationToken.None);

        Assert.That(answer.Action, Is.EqualTo(WorkAction.Wait));
        Assert.That(answer.WaitSeconds, Is.EqualTo(new WorkOptions().PollSeconds));
        Assert.That(_instance.Busy, Is.False);
    }

    [Test]
    public void Handle_OneRefusedOutcome_RefusesAllAndAppliesNone()
    {
        var held = Queued();
        held.Lease(_instance.Id, _clock.GetUtcNow());
        var lost = Queued();
        lost.Lease(Guid.NewGuid(), _clock.GetUtcNow());
        _tasks.Setup(r => r.ListHeldByAsync(_instance.Id, It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>())).ReturnsAsync([held]);
        _tasks.Setup(r => r.FindManyAsync(It.IsAny<IReadOnlyCollection<Guid>>(), It.IsAny<CancellationToken>())).ReturnsAsync([lost]);

        var ex = Assert.ThrowsAsync<ConflictException>(async () => await Handler().Handle(new GetWorkCommand(_instance.Id,
            [new CompletedTask(held.Id, TaskOutcome.Succeeded, null, null), new CompletedTask(lost.Id, TaskOutcome.Succeeded, null, null)], 1), CancellationToken.None));

        Assert.That(ex!.ErrorId, Is.EqualTo("outcome_refused"));
        Assert.That(held.State, Is.EqualTo(WorkTaskState.Leased), "the valid outcome is not applied either");
        _tasks.Verify(r => r.ClaimQueuedAsync(It.IsAny<Guid>(), It.IsAny<int>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public async Task Handle_DrainingHostAndNothingHeld_TerminatesAndReleasesTheCopy()
    {
        _host.Drain(_clock.GetUtcNow(), null, Host.DefaultDrainDeadline);
        var before = _engine.ActiveInstances;

        var answer = await Handler().Handle(new GetWorkCommand(_instance.Id, [], 1), CancellationToken.None);

        Assert.That(answer.Action, Is.EqualTo(WorkAction.Terminate));
        Assert.That(_instance.State, Is.EqualTo(EngineInstanceState.Stopping));
        Assert.That(_instance.StopReason, Is.EqualTo(WorkVerdict.ReasonHostDraining));
        Assert.That(_engine.ActiveInstances, Is.EqualTo(before - 1));
        _tasks.Verify(r => r.ClaimQueuedAsync(It.IsAny<Guid>(), It.IsAny<int>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public async Task Handle_DrainingHostWhileHoldingWork_WaitsAndExtendsTheLease()
    {
        _host.Drain(_clock.GetUtcNow(), null, Host.DefaultDrainDeadline);
        var held = Queued();
        held.Lease(_instance.Id, _clock.GetUtcNow());
        _tasks.Setup(r => r.ListHeldByAsync(_instance.Id, It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>())).ReturnsAsync([held]);
        _clock.Advance(TimeSpan.FromSeconds(30));

        var answer = await Handler().Handle(new GetWorkCommand(_instance.Id, [], 1), CancellationToken.None);

        Assert.That(answer.Action, Is.EqualTo(WorkAction.Wait));
        Assert.That(held.LeaseExpiresAt, Is.EqualTo(_clock.GetUtcNow().AddSeconds(60)));
        Assert.That(_instance.State, Is.EqualTo(EngineInstanceState.Running));
    }

    [Test]
    public async Task Handle_LostRace_RunsTheRoundAgainFromFreshReads()
    {
        var calls = 0;
        _unitOfWork.Setup(u => u.InTransactionAsync(It.IsAny<Func<CancellationToken, Task<List<WorkItemDto>>>>(), It.IsAny<CancellationToken>()))
            .Returns((Func<CancellationToken, Task<List<WorkItemDto>>> work, CancellationToken ct) =>
                ++calls == 1 ? throw new ConcurrencyConflictException("race", new InvalidOperationException()) : work(ct));

        var answer = await Handler().Handle(new GetWorkCommand(_instance.Id, [], 1), CancellationToken.None);

        Assert.That(answer.Action, Is.EqualTo(WorkAction.Wait));
        Assert.That(calls, Is.EqualTo(2));
        _unitOfWork.Verify(u => u.Reset(), Times.Once);
    }
}
