using BenchmarkDotNet.Attributes;
using Controller.Application;
using Controller.Application.Retention;
using Controller.Application.Work;
using Controller.Domain.Common;
using Controller.Domain.Engines;
using Controller.Domain.Work;
using Controller.Infrastructure;
using Controller.Infrastructure.Persistence;
using Controller.Infrastructure.Startup;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Controller.Benchmarks;

/// <summary>
/// How fast the sweep works off what the queue leaves behind, against a real database: deleting finished tasks past
/// their retention, and sending expired leases back to the queue (a mass instance failure). Each iteration stores
/// <see cref="Rows"/> tasks, then one sweep step takes them all; the mean is per row (OperationsPerInvoke), so rows per
/// second = 1 s / mean. SQLite always; PostgreSQL when <c>CONTROLLER_BENCH_POSTGRES</c> holds a connection string.
/// </summary>
[SimpleJob(BenchmarkDotNet.Engines.RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class RetentionBenchmarks
{
    private const int Rows = 50_000;
    private ServiceProvider _services = null!;
    private string? _directory;
    private Guid _engineId;

    [ParamsSource(nameof(Providers))]
    public string Provider { get; set; } = "Sqlite";

    public static IEnumerable<string> Providers() =>
        string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CONTROLLER_BENCH_POSTGRES")) ? ["Sqlite"] : ["Sqlite", "Postgres"];

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "controller-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        var settings = new Dictionary<string, string?>
        {
            ["Controller:DataDirectory"] = _directory,
            ["Database:Provider"] = Provider,
            ["ConnectionStrings:Controller"] = Provider == "Postgres" ? Environment.GetEnvironmentVariable("CONTROLLER_BENCH_POSTGRES") : null,
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        _services = new ServiceCollection().AddLogging().AddMetrics()
            .AddApplicationServices(configuration).AddInfrastructureServices(configuration).BuildServiceProvider();
        _services.InitializeDatabaseAsync().GetAwaiter().GetResult();

        var engine = Engine.Create(Guid.CreateVersion7(), new EngineSpec("bench-" + Guid.NewGuid().ToString("N")[..8], "i", new Resources(100, 64, 0, 0), 0, 0, 10, 0, new Dictionary<string, string>()), DateTimeOffset.UtcNow);
        _engineId = engine.Id;
        Store([engine]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
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
        await using var scope = _services.CreateAsyncScope();
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
            await using var scope = _services.CreateAsyncScope();
            var result = await scope.ServiceProvider.GetRequiredService<TaskSweeper>().SweepAsync(CancellationToken.None);
            expired += result.LeasesExpired;
            if (result.LeasesExpired == 0)
            {
                break;
            }
        }

        Check(expired);

        // Back in the queue: finish them off so that the next iteration starts from an empty queue.
        await using var cleanup = _services.CreateAsyncScope();
        var db = cleanup.ServiceProvider.GetRequiredService<ControllerDbContext>();
        await db.Tasks.ExecuteDeleteAsync();
    }

    private WorkTask NewTask(DateTimeOffset leasedAt)
    {
        var task = WorkTask.Submit(Guid.CreateVersion7(), new TaskSpec(_engineId, "{}", 0, 3, 60, null), leasedAt);
        task.Lease(Guid.NewGuid(), leasedAt);
        return task;
    }

    private void Store(IEnumerable<object> entities)
    {
        foreach (var chunk in entities.Chunk(5000))
        {
            using var scope = _services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<ControllerDbContext>();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            db.AddRange(chunk);
            db.SaveChanges();
        }
    }

    private static void Check(int rows)
    {
        if (rows != Rows)
        {
            throw new InvalidOperationException($"The step took {rows} rows, not {Rows}.");
        }
    }
}
