using Controller.Application.Scheduling;
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

public sealed class GetWorkBatchRoundTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private Mock<ITaskRepository> _tasks = null!;
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

        _tasks = new Mock<ITaskRepository>();
        _unitOfWork = new Mock<IUnitOfWork>();
        _view = new Mock<IClusterViewSource>();
        _view.Setup(v => v.GetAsync(It.IsAny<CancellationToken>())).ReturnsAsync(() => new ClusterSnapshot(
            [_engine],
            _host.State == HostState.Active ? [new ActiveHostView(_host.Id, new Dictionary<string, string>(), _host.Capacity, Resources.Zero)] : [],
            _clock.GetUtcNow()));
        _known = [];
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

    private GetWorkBatchRound Round() => new(
        _tasks.Object, _unitOfWork.Object, _view.Object, TestMetrics.Create(),
        Options.Create(new WorkOptions()), Options.Create(new SchedulingOptions()), _clock);

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
    public async Task RunAsync_TwoCallsOfOneEngine_OneClaimAndOneTransaction_SharedOutInOrder()
    {
        var queued = new List<WorkTask> { Queued(), Queued(), Queued() };
        _tasks.Setup(r => r.ClaimQueuedAsync(_engine.Id, 3, It.IsAny<CancellationToken>())).ReturnsAsync(queued);

        var answers = await Round().RunAsync([new GetWorkCommand(_first.Id, null, 1), new GetWorkCommand(_second.Id, null, 2)], CancellationToken.None);

        Assert.That(answers[0]!.Items.Select(i => i.TaskId), Is.EqualTo(new[] { queued[0].Id }));
        Assert.That(answers[1]!.Items.Select(i => i.TaskId), Is.EqualTo(new[] { queued[1].Id, queued[2].Id }));
        Assert.That(answers.Select(a => a!.Action), Is.All.EqualTo(WorkAction.Process));
        Assert.That(queued.Select(t => t.InstanceId), Is.EqualTo(new Guid?[] { _first.Id, _second.Id, _second.Id }));
        Assert.That(queued.Select(t => t.Attempts), Is.All.EqualTo(1));
        Assert.That(_first.Busy && _second.Busy, Is.True);
        _tasks.Verify(r => r.ClaimQueuedAsync(It.IsAny<Guid>(), It.IsAny<int>(), It.IsAny<CancellationToken>()), Times.Once);
        _unitOfWork.Verify(u => u.InTransactionAsync(It.IsAny<Func<CancellationToken, Task<Dictionary<int, List<WorkItemDto>>>>>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Test]
    public async Task RunAsync_OutcomeOfAHeldTask_IsAppliedAndOtherLeasesExtended()
    {
        var done = HeldBy(_first);
        var still = HeldBy(_first);
        _clock.Advance(TimeSpan.FromSeconds(30));

        var answers = await Round().RunAsync([new GetWorkCommand(_first.Id, [Succeeded(done)], 0)], CancellationToken.None);

        Assert.That(done.State, Is.EqualTo(WorkTaskState.Succeeded));
        Assert.That(still.LeaseExpiresAt, Is.EqualTo(_clock.GetUtcNow().AddSeconds(60)));
        Assert.That(answers[0]!.Action, Is.EqualTo(WorkAction.Wait), "still holds one, asked for none");
        Assert.That(_first.Busy, Is.True);
    }

    [Test]
    public async Task RunAsync_HoldingNamed_TasksLeasedButNotNamedGoBack()
    {
        var lost = HeldBy(_first);
        var kept = HeldBy(_first);

        var answers = await Round().RunAsync([new GetWorkCommand(_first.Id, null, 0, [kept.Id])], CancellationToken.None);

        Assert.That(lost.State, Is.EqualTo(WorkTaskState.Queued));
        Assert.That(kept.State, Is.EqualTo(WorkTaskState.Leased));
        Assert.That(answers[0]!.Action, Is.EqualTo(WorkAction.Wait));
    }

    [Test]
    public async Task RunAsync_NothingQueued_WaitsAndIsIdle()
    {
        var answers = await Round().RunAsync([new GetWorkCommand(_first.Id, null, null)], CancellationToken.None);

        Assert.That(answers[0]!.Action, Is.EqualTo(WorkAction.Wait));
        Assert.That(answers[0]!.WaitSeconds, Is.EqualTo(new WorkOptions().PollSeconds));
        Assert.That(_first.Busy, Is.False);
    }

    [Test]
    public async Task RunAsync_ARefusedOutcome_LeavesThatCallToItsOwnRound_AndAppliesNothingOfIt()
    {
        var mine = HeldBy(_first);
        var notMine = HeldBy(_second);
        var other = HeldBy(_second);

        var answers = await Round().RunAsync(
            [new GetWorkCommand(_first.Id, [Succeeded(mine), Succeeded(notMine)], 1), new GetWorkCommand(_second.Id, [Succeeded(other)], 1)],
            CancellationToken.None);

        Assert.That(answers[0], Is.Null, "refused: the single round answers it (409)");
        Assert.That(mine.State, Is.EqualTo(WorkTaskState.Leased), "nothing of the refused call is applied");
        Assert.That(answers[1], Is.Not.Null);
        Assert.That(other.State, Is.EqualTo(WorkTaskState.Succeeded));
    }

    [Test]
    public async Task RunAsync_TheSameInstanceTwice_OnlyTheFirstIsBatched()
    {
        var answers = await Round().RunAsync([new GetWorkCommand(_first.Id, null, 1), new GetWorkCommand(_first.Id, null, 1)], CancellationToken.None);

        Assert.That(answers[0], Is.Not.Null);
        Assert.That(answers[1], Is.Null);
    }

    [Test]
    public async Task RunAsync_UncommonCases_AreLeftToTheSingleRound()
    {
        var starting = EngineInstance.Launch(Guid.CreateVersion7(), _engine, _host.Id, [], Guid.NewGuid(), _clock.GetUtcNow());
        starting.ContainerSeen("c1", _clock.GetUtcNow());
        _known.Add(starting);

        var answers = await Round().RunAsync([new GetWorkCommand(starting.Id, null, 1), new GetWorkCommand(Guid.NewGuid(), null, 1)], CancellationToken.None);

        Assert.That(answers, Is.All.Null, "a copy that is not running yet (its first call brings it up, in the single round), an unknown instance (404)");
        _unitOfWork.Verify(u => u.InTransactionAsync(It.IsAny<Func<CancellationToken, Task<Dictionary<int, List<WorkItemDto>>>>>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public async Task RunAsync_DrainingHost_IsLeftToTheSingleRound()
    {
        _host.Drain(_clock.GetUtcNow(), null, Host.DefaultDrainDeadline);

        var answers = await Round().RunAsync([new GetWorkCommand(_first.Id, null, 1)], CancellationToken.None);

        Assert.That(answers[0], Is.Null, "the single round decides on the host's row and tells it to terminate");
        Assert.That(_first.State, Is.EqualTo(EngineInstanceState.Running));
    }

    [Test]
    public async Task RunAsync_QueueEngineLettingCopiesGo_IsLeftToTheSingleRound()
    {
        _engine = Engine.Create(Guid.CreateVersion7(), new EngineSpec("q", "i", new Resources(1000, 1024, 0, 0), 0, 0, 4, 1, new Dictionary<string, string>(), EngineScaling.Queue(1, 0)), _clock.GetUtcNow());
        _first = Running();
        _engine.ApplyBacklog(0, _clock.GetUtcNow());
        Assert.That(_engine.Surplus, Is.EqualTo(1));

        var answers = await Round().RunAsync([new GetWorkCommand(_first.Id, null, 1)], CancellationToken.None);

        Assert.That(answers[0], Is.Null, "idle copies of a shrinking engine are stopped by the single round");
    }
}
