using BenchmarkDotNet.Attributes;
using Controller.Application;
using Controller.Infrastructure;
using Controller.Infrastructure.Persistence;
using Controller.Infrastructure.Startup;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Controller.Benchmarks;

/// <summary>
/// A benchmark against a real database through the controller's own services: a SQLite file always, PostgreSQL too when
/// <c>CONTROLLER_BENCH_POSTGRES</c> holds a connection string.
/// </summary>
public abstract class DatabaseBenchmark
{
    private string? _directory;

    [ParamsSource(nameof(Providers))]
    public string Provider { get; set; } = "Sqlite";

    protected ServiceProvider Services { get; private set; } = null!;

    public static IEnumerable<string> Providers() =>
        string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CONTROLLER_BENCH_POSTGRES")) ? ["Sqlite"] : ["Sqlite", "Postgres"];

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "controller-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Controller:DataDirectory"] = _directory,
            ["Database:Provider"] = Provider,
            ["ConnectionStrings:Controller"] = Provider == "Postgres" ? Environment.GetEnvironmentVariable("CONTROLLER_BENCH_POSTGRES") : null,
        }).Build();
        Services = new ServiceCollection().AddLogging().AddMetrics()
            .AddApplicationServices(configuration).AddInfrastructureServices(configuration).BuildServiceProvider();
        Services.InitializeDatabaseAsync().GetAwaiter().GetResult();
        Seed();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Services.Dispose();
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>The rows every iteration starts from.</summary>
    protected abstract void Seed();

    /// <summary>Adds the entities in chunks of 5,000, one save each.</summary>
    protected void Store(IEnumerable<object> entities)
    {
        foreach (var chunk in entities.Chunk(5000))
        {
            using var scope = Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<ControllerDbContext>();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            db.AddRange(chunk);
            db.SaveChanges();
        }
    }
}
