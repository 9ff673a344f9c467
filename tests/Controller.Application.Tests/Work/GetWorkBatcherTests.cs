using Controller.Application.Scheduling;
using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Controller.Application.Common.Telemetry;
using Controller.Application.Tests.Common;
using Controller.Application.Work.Commands.GetWork;
using Controller.Application.Work.Models;
using Controller.Domain.Common;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Controller.Domain.Hosts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace Controller.Application.Tests.Work;

public sealed class GetWorkBatcherTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly ControllerMetrics _metrics = TestMetrics.Create();
    private Mock<IUnitOfWork> _unitOfWork = null!;
    private Mock<IServiceScopeFactory> _scopes = null!;
    private EngineInstance _instance = null!;

    [SetUp]
    public void SetUp()
    {
        var now = _clock.GetUtcNow();
        var engine = Engine.Create(Guid.CreateVersion7(), new EngineSpec("asr", "i", new Resources(1000, 1024, 0, 0), 0, 0, 4, 1, new Dictionary<string, string>()), now);
        var host = Host.Register(Guid.CreateVersion7(), new HostRegistration("m", "h", ["10.0.0.1"], "1", new Dictionary<string, string>(), new Resources(8000, 8192, 0, 0), []), now);
        _instance = EngineInstance.Launch(Guid.CreateVersion7(), engine, host.Id, [], Guid.NewGuid(), now);
        _instance.Register(now);

        var tasks = new Mock<ITaskRepository>();
        var view = new Mock<IClusterViewSource>();
        view.Setup(v => v.GetAsync(It.IsAny<CancellationToken>())).ReturnsAsync(() => new ClusterSnapshot(
            [engine], [new ActiveHostView(host.Id, new Dictionary<string, string>(), host.Capacity, Resources.Zero)], now));
        tasks.Setup(r => r.ListInstancesWithHeldAsync(It.IsAny<IReadOnlyCollection<Guid>>(), It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(() => [(_instance, [])]);
        tasks.Setup(r => r.ClaimQueuedAsync(engine.Id, It.IsAny<int>(), It.IsAny<CancellationToken>())).ReturnsAsync(() => []);
        _unitOfWork = new Mock<IUnitOfWork>();
        _unitOfWork.Setup(u => u.InTransactionAsync(It.IsAny<Func<CancellationToken, Task<Dictionary<int, List<WorkItemDto>>>>>(), It.IsAny<CancellationToken>()))
            .Returns((Func<CancellationToken, Task<Dictionary<int, List<WorkItemDto>>>> work, CancellationToken ct) => work(ct));

        var round = new GetWorkBatchRound(tasks.Object, _unitOfWork.Object, view.Object, _metrics,
            Options.Create(new WorkOptions()), Options.Create(new SchedulingOptions()), _clock);
        var provider = new Mock<IServiceProvider>();
        provider.Setup(p => p.GetService(typeof(GetWorkBatchRound))).Returns(round);
        var scope = new Mock<IServiceScope>();
        scope.SetupGet(s => s.ServiceProvider).Returns(provider.Object);
        _scopes = new Mock<IServiceScopeFactory>();
        _scopes.Setup(s => s.CreateScope()).Returns(scope.Object);
    }

    private GetWorkBatcher Batcher(bool batchRounds = true) =>
        new(_scopes.Object, _metrics, Options.Create(new WorkOptions { BatchRounds = batchRounds }), NullLogger<GetWorkBatcher>.Instance);

    [Test]
    public async Task TryRunAsync_CommonCase_IsAnsweredByABatchRound()
    {
        using var batcher = Batcher();

        var answer = await batcher.TryRunAsync(new GetWorkCommand(_instance.Id, null, 1));

        Assert.That(answer?.Action, Is.EqualTo(Domain.Work.WorkAction.Wait));
        _scopes.Verify(s => s.CreateScope(), Times.Once);
    }

    [Test]
    public async Task TryRunAsync_BatchLosesARace_EveryCallRunsOnItsOwn()
    {
        _unitOfWork.Setup(u => u.InTransactionAsync(It.IsAny<Func<CancellationToken, Task<Dictionary<int, List<WorkItemDto>>>>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ConcurrencyConflictException("race", new InvalidOperationException()));
        using var batcher = Batcher();

        var answer = await batcher.TryRunAsync(new GetWorkCommand(_instance.Id, null, 1));

        Assert.That(answer, Is.Null);
    }

    [Test]
    public async Task TryRunAsync_DatabaseFails_TheCallRunsOnItsOwn_AndTheNextBatchStillRuns()
    {
        var calls = 0;
        _unitOfWork.Setup(u => u.InTransactionAsync(It.IsAny<Func<CancellationToken, Task<Dictionary<int, List<WorkItemDto>>>>>(), It.IsAny<CancellationToken>()))
            .Returns((Func<CancellationToken, Task<Dictionary<int, List<WorkItemDto>>>> work, CancellationToken ct) =>
                ++calls == 1 ? throw new InvalidOperationException("database down") : work(ct));
        using var batcher = Batcher();

        Assert.That(await batcher.TryRunAsync(new GetWorkCommand(_instance.Id, null, 1)), Is.Null);
        Assert.That(await batcher.TryRunAsync(new GetWorkCommand(_instance.Id, null, 1)), Is.Not.Null);
    }

    [Test]
    public async Task TryRunAsync_BatchingOff_LeavesEveryCallToItsOwnRound()
    {
        using var batcher = Batcher(batchRounds: false);

        Assert.That(await batcher.TryRunAsync(new GetWorkCommand(_instance.Id, null, 1)), Is.Null);
        _scopes.Verify(s => s.CreateScope(), Times.Never);
    }

    [Test]
    public async Task TryRunAsync_AfterDispose_LeavesTheCallToItsOwnRound()
    {
        var batcher = Batcher();
        batcher.Dispose();

        Assert.That(await batcher.TryRunAsync(new GetWorkCommand(_instance.Id, null, 1)), Is.Null);
    }
}
