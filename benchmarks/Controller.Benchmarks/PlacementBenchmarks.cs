using BenchmarkDotNet.Attributes;
using Controller.Application.Common.Models;
using Controller.Domain.Common;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Controller.Domain.Scheduling;

namespace Controller.Benchmarks;

/// <summary>
/// One placement decision for one reporting host, with 100 engines in the catalogue, in clusters of
/// 1,000, 10,000 and 100,000 instances (4 instances per host, so 250 to 25,000 hosts). What a decision
/// reads is the host and the catalogue (whose counts carry the cluster size), so its cost must stay flat.
/// </summary>
[MemoryDiagnoser]
public class PlacementBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private ClusterSnapshot _snapshot = null!;
    private List<Engine> _engines = null!;
    private HostSnapshot _host = null!;

    [Params(1_000, 10_000, 100_000)]
    public int ClusterInstances { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        var hosts = ClusterInstances / 4;
        var perEngine = ClusterInstances / 100;
        _engines = [];
        for (var e = 0; e < 100; e++)
        {
            var engine = Engine.Create(Guid.NewGuid(), new EngineSpec($"engine-{e}", "registry/x:1",
                new Resources(random.Next(1, 8) * 250, random.Next(1, 8) * 512, e % 10 == 0 ? 1 : 0, 0),
                random.Next(0, 100), 0, perEngine + 10, perEngine + (e % 3), new Dictionary<string, string>()), Now);
            for (var i = 0; i < perEngine; i++)
            {
                engine.ReserveInstance();
            }

            _engines.Add(engine);
        }

        var views = Enumerable.Range(0, hosts).Select(h => new ActiveHostView(Guid.NewGuid(), new Dictionary<string, string>(),
            new Resources(16_000, 65_536, 1, 100_000), h % 3 == 0 ? Resources.Zero : new Resources(16_000, 65_536, 1, 100_000))).ToList();
        _snapshot = new ClusterSnapshot(_engines, views, Now);
        var placed = Enumerable.Range(0, 4).Select(i => new PlacedInstance(Guid.NewGuid(), _engines[i * 7].Id, EngineInstanceState.Running,
            _engines[i * 7].Resources, _engines[i * 7].Resources.GpuCount == 1 ? [i] : [], Now)).ToList();
        _host = new HostSnapshot(Guid.NewGuid(), HostRole.Active, new Resources(32_000, 131_072, 4, 1_000_000), new Resources(20_000, 90_000, 3, 900_000),
            new Dictionary<string, string> { ["zone"] = "a" }, [0, 1, 2, 3], placed);
    }

    [Benchmark]
    public PlacementDecision DecideForOneHost() =>
        Scheduler.Decide(_host, _snapshot.Demands(_engines, Now), PlacementPolicy.Spread);
}
