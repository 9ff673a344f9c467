using BenchmarkDotNet.Attributes;
using Controller.Application.Common.Interfaces;
using Controller.Domain.Common;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Controller.Domain.Hosts;
using Microsoft.Extensions.DependencyInjection;

namespace Controller.Benchmarks;

/// <summary>
/// What the listings and the dashboard's summary cost with a thousand and with a million ended engine instances kept
/// (a busy cluster's retention window), against a real database: 200 copies live on 20 hosts beside them. SQLite always;
/// PostgreSQL when <c>CONTROLLER_BENCH_POSTGRES</c> holds a connection string.
/// </summary>
[SimpleJob(BenchmarkDotNet.Engines.RunStrategy.Monitoring, launchCount: 1, warmupCount: 3, iterationCount: 20, invocationCount: 10)]
public class ListingBenchmarks : DatabaseBenchmark
{
    private Guid _engineId;

    [Params(1_000, 1_000_000)]
    public int Ended { get; set; }

    /// <summary>An engine's running copies, as an operator lists them (<c>GET /engine_instance?engineId=…&amp;state=running</c>).</summary>
    [Benchmark]
    public Task<(IReadOnlyList<EngineInstance> Items, int Total)> RunningCopiesOfAnEngine() =>
        WithAsync<IEngineInstanceRepository, (IReadOnlyList<EngineInstance>, int)>(r => r.ListAsync(_engineId, null, EngineInstanceState.Running, 0, 50, CancellationToken.None));

    /// <summary>The first page of every instance, ended ones included, with its total (<c>GET /engine_instance</c>).</summary>
    [Benchmark]
    public Task<(IReadOnlyList<EngineInstance> Items, int Total)> FirstPageOfAllInstances() =>
        WithAsync<IEngineInstanceRepository, (IReadOnlyList<EngineInstance>, int)>(r => r.ListAsync(null, null, null, 0, 50, CancellationToken.None));

    /// <summary>The dashboard overview's and the metrics' counts: hosts by state, live copies by engine and state, backlog.</summary>
    [Benchmark]
    public Task<Application.Common.Telemetry.ClusterSizes> OverviewCounts() =>
        WithAsync<IClusterReader, Application.Common.Telemetry.ClusterSizes>(r => r.SizesAsync(DateTimeOffset.UtcNow, CancellationToken.None));

    private async Task<T> WithAsync<TService, T>(Func<TService, Task<T>> read)
        where TService : notnull
    {
        await using var scope = Services.CreateAsyncScope();
        return await read(scope.ServiceProvider.GetRequiredService<TService>());
    }

    /// <summary>20 hosts of 10 live copies each, and <see cref="Ended"/> ended copies of the same engine on them.</summary>
    protected override void Seed()
    {
        var now = DateTimeOffset.UtcNow;
        var engine = Engine.Create(Guid.CreateVersion7(), new EngineSpec("listed-" + Guid.NewGuid().ToString("N")[..8], "i", new Resources(100, 64, 0, 0), 0, 0, 1_000, 200, new Dictionary<string, string>()), now);
        _engineId = engine.Id;
        var hosts = Enumerable.Range(0, 20)
            .Select(i => Host.Register(Guid.CreateVersion7(), new HostRegistration($"m-{i}", $"h-{i}", ["10.0.0.1"], "1", new Dictionary<string, string>(), new Resources(64_000, 65_536, 0, 0), []), now))
            .ToList();
        Store([engine, .. hosts]);
        for (var done = 0; done < Ended; done += 10_000)
        {
            Store(Enumerable.Range(done, Math.Min(10_000, Ended - done)).Select(i =>
            {
                var copy = Launch(engine, hosts[i % hosts.Count], now.AddDays(-1));
                copy.MarkLost(now.AddHours(-1));
                return (object)copy;
            }));
        }

        Store(Enumerable.Range(0, 200).Select(i =>
        {
            var copy = Launch(engine, hosts[i % hosts.Count], now);
            copy.Register(now);
            return (object)copy;
        }));
    }

    private static EngineInstance Launch(Engine engine, Host host, DateTimeOffset at)
    {
        if (engine.Deficit <= 0)
        {
            engine.ReleaseInstance(engine.Revision); // the catalogue row is not what is measured: keep room for the next launch
        }

        return EngineInstance.Launch(Guid.CreateVersion7(at), engine, host.Id, [], Guid.NewGuid(), at);
    }
}
