using BenchmarkDotNet.Attributes;
using Controller.Application.Retention;
using Controller.Application.Work;
using Controller.Domain.Common;
using Controller.Domain.Engines;
using Controller.Domain.Work;
using Controller.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Controller.Benchmarks;

/// <summary>
/// How fast the sweep works off what the queue leaves behind, against a real database: deleting finished tasks past
/// their retention, and sending expired leases back to the queue (a mass instance failure). Each iteration stores
/// <see cref="Rows"/> tasks, then one sweep step takes them all; the mean is per row (OperationsPerInvoke), so rows per
/// second = 1 s / mean. SQLite always; PostgreSQL when <c>CONTROLLER_BENCH_POSTGRES</c> holds a connection string.
/// </summary>
[SimpleJob(BenchmarkDotNet.Engines.RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class RetentionBenchmarks : DatabaseBenchmark
{
    private const int Rows = 50_000;
    private Guid _engineId;

    protected override void Seed()
    {
        var engine = Engine.Create(Guid.CreateVersion7(), new EngineSpec("bench-" + Guid.NewGuid().ToString("N")[..8], "i", new Resources(100, 64, 0, 0), 0, 0, 10, 0, new Dictionary<string, string>()), DateTimeOffset.UtcNow);
        _engineId = engine.Id;
        Store([engine]);
    }

    [IterationSetup(Target = nameof(DeleteFinishedTasks))]
    public void StoreFinishedTasks()
    {
        var finishedAt = DateTimeOffset.UtcNow.AddDays(-30);
        Store(Enumerable.Range(0, Rows).Select(_ =>
        {
            var task = NewTask(finishedAt.AddSeconds(-1));
            task.Complete(task.InstanceId!.Value, TaskOutcome.Succeeded, "{}", null, finishedAt);
            return (object)task;
        }));
    }

    [IterationSetup(Target = nameof(ExpireLeases))]
    public void StoreExpiredLeases() => Store(Enumerable.Range(0, Rows).Select(_ => (object)NewTask(DateTimeOffset.UtcNow.AddHours(-1))));

    /// <summary>The retention step over <see cref="Rows"/> finished tasks past their retention.</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    public async Task DeleteFinishedTasks()
    {
        await using var scope = Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<RetentionSweeper>().SweepAsync(TimeSpan.FromMinutes(5), CancellationToken.None);
        Check(result.Deleted["tasks"]);
    }

    /// <summary>The task step over <see cref="Rows"/> leases that expired: each task goes back to the queue.</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    public async Task ExpireLeases()
    {
        var expired = 0;
        while (expired < Rows)
        {
            await using var scope = Services.CreateAsyncScope();
            var result = await scope.ServiceProvider.GetRequiredService<TaskSweeper>().SweepAsync(CancellationToken.None);
            expired += result.LeasesExpired;
            if (result.LeasesExpired == 0)
            {
                break;
            }
        }

        Check(expired);

        // Back in the queue: finish them off so that the next iteration starts from an empty queue.
        await using var cleanup = Services.CreateAsyncScope();
        var db = cleanup.ServiceProvider.GetRequiredService<ControllerDbContext>();
        await db.Tasks.ExecuteDeleteAsync();
    }

    private WorkTask NewTask(DateTimeOffset leasedAt)
    {
        var task = WorkTask.Submit(Guid.CreateVersion7(), new TaskSpec(_engineId, "{}", 0, 3, 60, null), leasedAt);
        task.Lease(Guid.NewGuid(), leasedAt);
        return task;
    }

    private static void Check(int rows)
    {
        if (rows != Rows)
        {
            throw new InvalidOperationException($"The step took {rows} rows, not {Rows}.");
        }
    }
}
