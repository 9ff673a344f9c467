using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Controller.Application.Retention;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace Controller.Application.Tests.Retention;

/// <summary>The retention step: each kind batch after batch until nothing is left or the budget is spent, with its own cutoff; one failing kind does not stop the others.</summary>
public sealed class RetentionSweeperTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static RetentionSweeper Sweeper(IRetentionStore store) => new(
        store,
        Options.Create(new RetentionOptions { TasksHours = 0.5, InstancesHours = 2 }),
        Options.Create(new EventOptions { MaxCount = 1000 }),
        new FakeTimeProvider(Now));

    [Test]
    public async Task EachKind_BatchesUntilAShortOne_WithItsOwnCutoff()
    {
        var store = new Mock<IRetentionStore>();
        var taskBatches = new Queue<int>([RetentionSweeper.Batch, RetentionSweeper.Batch, 12]);
        store.Setup(s => s.DeleteFinishedTasksAsync(Now.AddMinutes(-30), RetentionSweeper.Batch, It.IsAny<CancellationToken>())).ReturnsAsync(() => taskBatches.Dequeue());
        store.Setup(s => s.DeleteEndedInstancesAsync(Now.AddHours(-2), RetentionSweeper.Batch, It.IsAny<CancellationToken>())).ReturnsAsync(3);
        store.Setup(s => s.DeleteEventsAsync(Now.AddHours(-168), 1000, RetentionSweeper.Batch, It.IsAny<CancellationToken>())).ReturnsAsync(0);

        var result = await Sweeper(store.Object).SweepAsync(TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.That(result.Deleted["tasks"], Is.EqualTo(2 * RetentionSweeper.Batch + 12));
        Assert.That(result.Deleted["instances"], Is.EqualTo(3));
        Assert.That(result.Deleted.Keys, Is.EquivalentTo(new[] { "tasks", "events", "instances", "hosts", "tokens", "audit", "engines" }));
        Assert.That(result.Failures, Is.Empty);
        store.Verify(s => s.DeleteFinishedTasksAsync(It.IsAny<DateTimeOffset>(), It.IsAny<int>(), It.IsAny<CancellationToken>()), Times.Exactly(3));
        store.Verify(s => s.DeleteEndedInstancesAsync(It.IsAny<DateTimeOffset>(), It.IsAny<int>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Test]
    public async Task ABudgetSpent_StopsTakingBatches_ButEveryKindGetsOne()
    {
        var store = new Mock<IRetentionStore>();
        store.Setup(s => s.DeleteFinishedTasksAsync(It.IsAny<DateTimeOffset>(), It.IsAny<int>(), It.IsAny<CancellationToken>()))
            .Returns(async () =>
            {
                await Task.Delay(20);
                return RetentionSweeper.Batch;
            });
        store.Setup(s => s.DeleteAuditAsync(It.IsAny<DateTimeOffset>(), It.IsAny<int>(), It.IsAny<CancellationToken>())).ReturnsAsync(RetentionSweeper.Batch);

        var result = await Sweeper(store.Object).SweepAsync(TimeSpan.FromMilliseconds(100), CancellationToken.None);

        Assert.That(result.Deleted["tasks"] / RetentionSweeper.Batch, Is.InRange(2, 10), "batches until the budget was spent");
        Assert.That(result.Deleted["audit"], Is.EqualTo(RetentionSweeper.Batch), "one batch after the budget");
    }

    [Test]
    public async Task AFailingKind_IsReported_TheOthersStillRun()
    {
        var store = new Mock<IRetentionStore>();
        store.Setup(s => s.DeleteFinishedTasksAsync(It.IsAny<DateTimeOffset>(), It.IsAny<int>(), It.IsAny<CancellationToken>())).ThrowsAsync(new InvalidOperationException("no such table"));
        store.Setup(s => s.DeleteEventsAsync(It.IsAny<DateTimeOffset>(), It.IsAny<int>(), It.IsAny<int>(), It.IsAny<CancellationToken>())).ReturnsAsync(7);

        var result = await Sweeper(store.Object).SweepAsync(TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.That(result.Failures.Select(f => f.Kind), Is.EqualTo(new[] { "tasks" }));
        Assert.That(result.Deleted["events"], Is.EqualTo(7));
        store.Verify(s => s.DeleteDeletedEnginesAsync(It.IsAny<DateTimeOffset>(), It.IsAny<int>(), It.IsAny<CancellationToken>()), Times.Once);
    }
}
