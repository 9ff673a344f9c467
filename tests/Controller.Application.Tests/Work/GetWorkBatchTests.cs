using Controller.Application.Common;
using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Models;
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

/// <summary>A getwork batch on its own (its collaborators mocked): one call or several, each answered or refused as the contract says.</summary>
public sealed class GetWorkBatchTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private Mock<ITaskRepository> _tasks = null!;
    private Mock<IEngineRepository> _engines = null!;
    private Mock<IHostRepository> _hosts = null!;
    private Mock<IUnitOfWork> _unitOfWork = null!;
    private Mock<IClusterViewSource> _view = null!;
    private Engine _engine = null!;
    private Host _host = null!;
    private EngineInstance _first = null!;
    private EngineInstance _second = null!;
    private List<WorkTask> _held = null!;
    private List<EngineInstance> _known = null!;

    [SetUp]
    public void SetUp()
    {
        var now = _clock.GetUtcNow();
        _engine = Engine.Create(Guid.CreateVersion7(), new EngineSpec("asr", "i", new Resources(1000, 1024, 0, 0), 0, 0, 4, 3, new Dictionary<string, string>()), now);
        _host = Host.Register(Guid.CreateVersion7(), new HostRegistration("m", "h", ["10.0.0.1"], "1", new Dictionary<string, string>(), new Resources(8000, 8192, 0, 0), []), now);
        _first = Running();
        _second = Running();
        _held = [];
        _known = [];

        _tasks = new Mock<ITaskRepository>();
        _engines = new Mock<IEngineRepository>();
        _hosts = new Mock<IHostRepository>();
        _unitOfWork = new Mock<IUnitOfWork>();
        _view = new Mock<IClusterViewSource>();
        _view.Setup(v => v.GetAsync(It.IsAny<CancellationToken>())).ReturnsAsync(() => new ClusterSnapshot(
            [_engine],
            _host.State == HostState.Active ? [new ActiveHostView(_host.Id, new Dictionary<string, string>(), _host.Capacity, Resources.Zero)] : [],
            _clock.GetUtcNow()));
        _engines.Setup(r => r.FindAsync(It.IsAny<Guid>(), It.IsAny<CancellationToken>())).ReturnsAsync(() => _engine);
        _hosts.Setup(r => r.StateOfAsync(_host.Id, It.IsAny<CancellationToken>())).ReturnsAsync(() => _host.State);
        _tasks.Setup(r => r.ListInstancesWithHeldAsync(It.IsAny<IReadOnlyCollection<Guid>>(), It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((IReadOnlyCollection<Guid> ids, DateTimeOffset _, CancellationToken _) => new[] { _first, _second }.Concat(_known)
                .Where(i => ids.Contains(i.Id))
                .Select(i => (i, _held.Where(t => t.InstanceId == i.Id).ToList()))
                .ToList());
        _tasks.Setup(r => r.ClaimQueuedAsync(_engine.Id, It.IsAny<int>(), It.IsAny<CancellationToken>())).ReturnsAsync([]);
        _unitOfWork.Setup(u => u.InTransactionAsync(It.IsAny<Func<CancellationToken, Task<Dictionary<int, List<WorkItemDto>>>>>(), It.IsAny<CancellationToken>()))
            .Returns((Func<CancellationToken, Task<Dictionary<int, List<WorkItemDto>>>> work, CancellationToken ct) => work(ct));
    }

    private EngineInstance Running()
    {
        var instance = EngineInstance.Launch(Guid.CreateVersion7(), _engine, _host.Id, [], Guid.NewGuid(), _clock.GetUtcNow());
        instance.Register(_clock.GetUtcNow());
        return instance;
    }

    private Task<BatchOutcome<GetWorkAnswer>[]> RunAsync(params GetWorkCommand[] calls) =>
        new GetWorkBatch(_tasks.Object, _unitOfWork.Object, _view.Object,
            new GetWorkRound(_tasks.Object, _engines.Object, _hosts.Object, Options.Create(new WorkOptions()), Options.Create(new SchedulingOptions()), TestMetrics.Create()),
            _clock).RunAsync(calls, CancellationToken.None);

    private async Task<GetWorkAnswer> OneAsync(GetWorkCommand call) => (await RunAsync(call))[0].Answer!;

    private WorkTask Queued() => WorkTask.Submit(Guid.CreateVersion7(), new TaskSpec(_engine.Id, "{}", 0, 3, 60, null), _clock.GetUtcNow());

    private WorkTask HeldBy(EngineInstance instance)
    {
        var task = Queued();
        task.Lease(instance.Id, _clock.GetUtcNow());
        _held.Add(task);
        return task;
    }

    private static CompletedTask Succeeded(WorkTask task) => new(task.Id, TaskOutcome.Succeeded, null, null);

    [Test]
    public async Task TwoCallsOfOneEngine_OneClaimAndOneTransaction_SharedOutInOrder()
    {
        var queued = new List<WorkTask> { Queued(), Queued(), Queued() };
        _tasks.Setup(r => r.ClaimQueuedAsync(_engine.Id, 3, It.IsAny<CancellationToken>())).ReturnsAsync(queued);

        var outcomes = await RunAsync(new GetWorkCommand(_first.Id, null, 1), new GetWorkCommand(_second.Id, null, 2));

        Assert.That(outcomes[0].Answer!.Items.Select(i => i.TaskId), Is.EqualTo(new[] { queued[0].Id }));
        Assert.That(outcomes[1].Answer!.Items.Select(i => i.TaskId), Is.EqualTo(new[] { queued[1].Id, queued[2].Id }));
        Assert.That(outcomes.Select(a => a.Answer!.Action), Is.All.EqualTo(WorkAction.Process));
        Assert.That(queued.Select(t => t.InstanceId), Is.EqualTo(new Guid?[] { _first.Id, _second.Id, _second.Id }));
        Assert.That(_first.Busy && _second.Busy, Is.True);
        _tasks.Verify(r => r.ClaimQueuedAsync(It.IsAny<Guid>(), It.IsAny<int>(), It.IsAny<CancellationToken>()), Times.Once);
        _unitOfWork.Verify(u => u.InTransactionAsync(It.IsAny<Func<CancellationToken, Task<Dictionary<int, List<WorkItemDto>>>>>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Test]
    public async Task TasksHandedOut_TheCopyIsWrittenEvenWithinTheHeartbeatResolution_NothingHandedOut_ItIsNot()
    {
        // A heartbeat a moment ago: within the resolution, a call that takes nothing does not write the copy's row.
        _first.Heartbeat(busy: false, _clock.GetUtcNow());
        var before = _first.LastHeartbeatAt;
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        await OneAsync(new GetWorkCommand(_first.Id, [], 1));
        Assert.That(_first.LastHeartbeatAt, Is.EqualTo(before), "idle: not written");

        // Handed a task: written, so that the save checks the copy's version (a stop committed meanwhile fails it).
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        _tasks.Setup(r => r.ClaimQueuedAsync(_engine.Id, 1, It.IsAny<CancellationToken>())).ReturnsAsync([Queued()]);
        await OneAsync(new GetWorkCommand(_first.Id, [], 1));
        Assert.That(_first.LastHeartbeatAt, Is.EqualTo(_clock.GetUtcNow()));
    }

    [Test]
    public async Task OutcomeOfAHeldTask_IsAppliedAndOtherLeasesExtended()
    {
        var done = HeldBy(_first);
        var still = HeldBy(_first);
        _clock.Advance(TimeSpan.FromSeconds(30));

        var answer = await OneAsync(new GetWorkCommand(_first.Id, [Succeeded(done)], 0));

        Assert.That(done.State, Is.EqualTo(WorkTaskState.Succeeded));
        Assert.That(still.LeaseExpiresAt, Is.EqualTo(_clock.GetUtcNow().AddSeconds(60)));
        Assert.That(answer.Action, Is.EqualTo(WorkAction.Wait), "still holds one, asked for none");
        Assert.That(_first.Busy, Is.True);
        _unitOfWork.Verify(u => u.SaveChangesAsync(It.IsAny<CancellationToken>()), Times.Once);
    }

    [Test]
    public async Task HoldingNamed_TasksLeasedButNotNamedGoBack_NamedAreKept()
    {
        var lost = HeldBy(_first);
        var kept = HeldBy(_first);

        var answer = await OneAsync(new GetWorkCommand(_first.Id, null, 0, [kept.Id]));

        Assert.That(lost.State, Is.EqualTo(WorkTaskState.Queued));
        Assert.That(lost.Error, Is.EqualTo(WorkTask.ErrorNotHeld));
        Assert.That(kept.State, Is.EqualTo(WorkTaskState.Leased));
        Assert.That(answer.Action, Is.EqualTo(WorkAction.Wait));
    }

    [Test]
    public async Task NothingQueued_WaitsAndIsIdle()
    {
        var answer = await OneAsync(new GetWorkCommand(_first.Id, null, null));

        Assert.That(answer.Action, Is.EqualTo(WorkAction.Wait));
        Assert.That(answer.WaitSeconds, Is.EqualTo(new WorkOptions().PollSeconds));
        Assert.That(_first.Busy, Is.False);
    }

    [Test]
    public async Task ARefusedOutcome_RefusesThatCallAndAppliesNothingOfIt_TheOthersAreAnswered()
    {
        var mine = HeldBy(_first);
        var notMine = HeldBy(_second);
        var other = HeldBy(_second);
        _tasks.Setup(r => r.FindManyAsync(It.IsAny<IReadOnlyCollection<Guid>>(), It.IsAny<CancellationToken>())).ReturnsAsync([notMine]);

        var outcomes = await RunAsync(new GetWorkCommand(_first.Id, [Succeeded(mine), Succeeded(notMine)], 1), new GetWorkCommand(_second.Id, [Succeeded(other)], 1));

        Assert.That(outcomes[0].Error, Is.TypeOf<ConflictException>().With.Property(nameof(ConflictException.ErrorId)).EqualTo("outcome_refused"));
        Assert.That(mine.State, Is.EqualTo(WorkTaskState.Leased), "the valid outcome of the refused call is not applied either");
        Assert.That(outcomes[1].Answer, Is.Not.Null);
        Assert.That(other.State, Is.EqualTo(WorkTaskState.Succeeded));
    }

    [Test]
    public async Task TheSameInstanceTwice_TheSecondWaitsForTheNextBatch_AnUnknownOneIsNotFound()
    {
        var outcomes = await RunAsync(new GetWorkCommand(_first.Id, null, 1), new GetWorkCommand(_first.Id, null, 1), new GetWorkCommand(Guid.NewGuid(), null, 1));

        Assert.That(outcomes[0].Answer, Is.Not.Null);
        Assert.That(outcomes[1], Is.EqualTo(default(BatchOutcome<GetWorkAnswer>)), "neither answered nor refused: the next batch");
        Assert.That(outcomes[2].Error, Is.TypeOf<NotFoundException>());
    }

    [Test]
    public async Task AStartingCopy_ComesUpWithItsFirstCall()
    {
        var starting = EngineInstance.Launch(Guid.CreateVersion7(), _engine, _host.Id, [], Guid.NewGuid(), _clock.GetUtcNow());
        starting.ContainerSeen("c1", _clock.GetUtcNow());
        _known.Add(starting);

        var answer = await OneAsync(new GetWorkCommand(starting.Id, null, 1));

        Assert.That(starting.State, Is.EqualTo(EngineInstanceState.Running));
        Assert.That(answer.Action, Is.EqualTo(WorkAction.Wait));
    }

    [Test]
    public async Task DrainingHostAndNothingHeld_TerminatesAndReleasesTheCopy()
    {
        _host.Drain(_clock.GetUtcNow(), null, Host.DefaultDrainDeadline);
        var before = _engine.ActiveInstances;

        var answer = await OneAsync(new GetWorkCommand(_first.Id, [], 1));

        Assert.That(answer.Action, Is.EqualTo(WorkAction.Terminate));
        Assert.That(_first.State, Is.EqualTo(EngineInstanceState.Stopping));
        Assert.That(_first.StopReason, Is.EqualTo(WorkVerdict.ReasonHostDraining));
        Assert.That(_engine.ActiveInstances, Is.EqualTo(before - 1));
        _tasks.Verify(r => r.ClaimQueuedAsync(It.IsAny<Guid>(), It.IsAny<int>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public async Task DrainingHostWhileHoldingWork_WaitsAndExtendsTheLease()
    {
        _host.Drain(_clock.GetUtcNow(), null, Host.DefaultDrainDeadline);
        var held = HeldBy(_first);
        _clock.Advance(TimeSpan.FromSeconds(30));

        var answer = await OneAsync(new GetWorkCommand(_first.Id, [], 1));

        Assert.That(answer.Action, Is.EqualTo(WorkAction.Wait));
        Assert.That(held.LeaseExpiresAt, Is.EqualTo(_clock.GetUtcNow().AddSeconds(60)));
        Assert.That(_first.State, Is.EqualTo(EngineInstanceState.Running));
    }

    [Test]
    public async Task AQueueEngineLettingCopiesGo_StopsAnIdleCopy()
    {
        _engine = Engine.Create(Guid.CreateVersion7(), new EngineSpec("q", "i", new Resources(1000, 1024, 0, 0), 0, 0, 4, 1, new Dictionary<string, string>(), EngineScaling.Queue(1, 0)), _clock.GetUtcNow());
        _first = Running();
        _engine.ApplyBacklog(0, _clock.GetUtcNow());
        Assert.That(_engine.Surplus, Is.EqualTo(1));

        var answer = await OneAsync(new GetWorkCommand(_first.Id, null, 1));

        Assert.That(answer.Action, Is.EqualTo(WorkAction.Terminate));
        Assert.That(_first.State, Is.EqualTo(EngineInstanceState.Stopping));
    }
}
