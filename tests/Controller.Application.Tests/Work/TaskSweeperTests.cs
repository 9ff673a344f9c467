using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Application.Work;
using Controller.Domain.Common;
using Controller.Domain.Engines;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace Controller.Application.Tests.Work;

/// <summary>The task step's backlog scaling: under the placement gate, and read and saved again after a lost race.</summary>
public sealed class TaskSweeperTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Test]
    public async Task BacklogScaling_LosesARace_ReadsAgainAndSaves_UnderThePlacementGate()
    {
        var engineId = Guid.CreateVersion7();
        Engine Fresh() => Engine.Create(engineId, new EngineSpec("q", "i", new Resources(100, 64, 0, 0), 0, 0, 10, 0, new Dictionary<string, string>(), EngineScaling.Queue(2, 60)), _clock.GetUtcNow());
        var reads = new List<Engine>();
        var tasks = new Mock<ITaskRepository>();
        tasks.Setup(t => t.ExpireLeasesAsync(It.IsAny<DateTimeOffset>(), It.IsAny<int>(), It.IsAny<CancellationToken>())).ReturnsAsync(EndedAttempts.None);
        tasks.Setup(t => t.ReleaseHeldByEndedInstancesAsync(It.IsAny<DateTimeOffset>(), It.IsAny<int>(), It.IsAny<CancellationToken>())).ReturnsAsync(EndedAttempts.None);
        tasks.Setup(t => t.ListQueuedOfDeletedEnginesAsync(It.IsAny<int>(), It.IsAny<CancellationToken>())).ReturnsAsync([]);
        var engines = new Mock<IEngineRepository>();
        engines.Setup(e => e.ListLiveForUpdateAsync(It.IsAny<CancellationToken>())).ReturnsAsync(() =>
        {
            var engine = Fresh();
            reads.Add(engine);
            return [engine];
        });
        var unitOfWork = new Mock<IUnitOfWork>();
        var saves = 0;
        unitOfWork.Setup(u => u.SaveChangesAsync(It.IsAny<CancellationToken>())).Returns(() =>
            ++saves == 1 ? throw new ConcurrencyConflictException("a status round changed it", new InvalidOperationException()) : Task.CompletedTask);
        var gate = new Mock<IPlacementGate>();
        var inGate = false;
        gate.Setup(g => g.EnterAsync(It.IsAny<CancellationToken>())).ReturnsAsync(() =>
        {
            inGate = true;
            return new Exit(() => inGate = false);
        });
        tasks.Setup(t => t.BacklogAsync(It.IsAny<IReadOnlyCollection<Guid>>(), It.IsAny<int>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(() =>
            {
                Assert.That(inGate, Is.True, "read and saved under the placement gate");
                return new Dictionary<Guid, TaskBacklog> { [engineId] = new(8, 0, _clock.GetUtcNow()) };
            });

        var result = await new TaskSweeper(tasks.Object, engines.Object, unitOfWork.Object, gate.Object, Mock.Of<IWorkSignal>(), _clock).SweepAsync(CancellationToken.None);

        Assert.That(result.EnginesRescaled, Is.EqualTo(1));
        Assert.That(reads, Has.Count.EqualTo(2), "read again after the lost race");
        Assert.That(reads[^1].DesiredInstances, Is.EqualTo(4), "8 queued tasks at 2 per copy");
        Assert.That(saves, Is.EqualTo(2));
        Assert.That(inGate, Is.False, "the gate is left");
    }

    private sealed class Exit(Action exit) : IDisposable
    {
        public void Dispose() => exit();
    }
}
