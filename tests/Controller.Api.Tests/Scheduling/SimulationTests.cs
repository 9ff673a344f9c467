using System.Net.Http.Json;
using Controller.Api.Tests.Infrastructure;
using Controller.Domain.Common;
using Controller.Domain.EngineInstances;
using Controller.Infrastructure.BackgroundServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Controller.Api.Tests.Scheduling;

/// <summary>
/// 20 simulated hosts of random sizes, several engines, random container crashes and one host that goes
/// silent and comes back, driven through the real HTTP endpoints, handlers and database for 100 rounds
/// on a fake clock. Every round keeps every invariant; at the end the cluster has converged.
/// </summary>
public sealed class SimulationTests
{
    private const int Seed = 20261128;

    [Test]
    public async Task HundredRounds_RandomCrashesAndASilentHost_InvariantsHoldAndClusterConverges()
    {
        TestContext.Out.WriteLine($"seed {Seed}");
        var random = new Random(Seed);
        using var factory = new ControllerFactory(new Dictionary<string, string?>
        {
            ["Scheduling:HostLostAfterSeconds"] = "30",
            ["Scheduling:StartupGraceSeconds"] = "0",
            ["Scheduling:FailureBackoffSeconds"] = "1",
            ["Scheduling:MaxFailureBackoffSeconds"] = "10",
            ["Scheduling:SnapshotMaxAgeMilliseconds"] = "0",

            // Host avoidance keeps its default (five minutes, longer than the run): random crashes have engines avoided
            // on hosts, and an engine every host with room avoids is placed anyway, so the cluster still converges.
        });
        using var admin = factory.Admin();
        var desired = new Dictionary<string, int> { ["ocr"] = 12, ["asr"] = 8, ["vision"] = 3, ["pinned"] = 2 };
        await admin.PostAsJsonAsync("/engine", Engine("ocr", 12, 1000, 2048, 0, 10));
        await admin.PostAsJsonAsync("/engine", Engine("asr", 8, 2000, 4096, 0, 50));
        await admin.PostAsJsonAsync("/engine", Engine("vision", 3, 1000, 2048, 1, 90));
        await admin.PostAsJsonAsync("/engine", Engine("pinned", 2, 500, 512, 0, 20, new { zone = "b" }));

        var agents = new List<Agent>();
        for (var i = 0; i < 20; i++)
        {
            var agent = await Agent.RegisterAsync(factory, cpu: random.Next(4, 17) * 1000, memory: random.Next(8, 33) * 1024,
                gpus: i % 5 == 0 ? 2 : 0, labels: new { zone = i % 4 == 0 ? "b" : "a" });
            agent.RunEngines = true;
            agents.Add(agent);
        }

        Agent silent = null!;
        var sweep = factory.Services.GetRequiredService<SweepService>();
        for (var round = 1; round <= 100; round++)
        {
            if (round == 30)
            {
                // The busiest host falls silent.
                silent = agents.OrderByDescending(a => a.Containers.Count).First();
            }
            foreach (var agent in agents.OrderBy(_ => random.Next()))
            {
                if (ReferenceEquals(agent, silent) && round is >= 30 and < 70)
                {
                    continue;
                }

                if (round <= 80 && agent.Containers.Count > 0 && random.Next(0, 10) == 0)
                {
                    agent.Crash(agent.Containers.Keys.ElementAt(random.Next(agent.Containers.Count)));
                }

                await agent.ReportAsync();
            }

            factory.Clock.Advance(TimeSpan.FromSeconds(5));
            await sweep.TickAsync(CancellationToken.None);
            await AssertInvariantsAsync(factory, desired, $"round {round}");
            if (round == 60)
            {
                var state = await factory.WithDbAsync(db => db.Hosts.AsNoTracking().Where(h => h.Id == silent.HostId).Select(h => h.State).SingleAsync());
                Assert.That(state, Is.EqualTo(Controller.Domain.Hosts.HostState.Lost), "the silent host is lost");
            }
        }

        var engines = await factory.WithDbAsync(db => db.Engines.AsNoTracking().ToListAsync());
        foreach (var engine in engines)
        {
            Assert.That(engine.ActiveInstances, Is.EqualTo(desired[engine.Name]), $"{engine.Name} converged");
        }

        var lostHost = await factory.WithDbAsync(db => db.Hosts.AsNoTracking().SingleAsync(h => h.Id == silent.HostId));
        Assert.That(lostHost.State, Is.EqualTo(Controller.Domain.Hosts.HostState.Active), "the silent host is back");
        var lostInstances = await factory.WithDbAsync(db => db.EngineInstances.CountAsync(i => i.HostId == silent.HostId && i.State == EngineInstanceState.Lost));
        Assert.That(lostInstances, Is.GreaterThan(0), "its instances were declared lost and replaced");
        Assert.That(silent.Containers.Keys.Intersect(await factory.WithDbAsync(db => db.EngineInstances.Where(i => i.State == EngineInstanceState.Lost).Select(i => i.Id).ToListAsync())), Is.Empty,
            "its stale containers were terminated when it came back");
        foreach (var agent in agents)
        {
            agent.Dispose();
        }
    }

    private static object Engine(string name, int desired, int cpu, int memory, int gpus, int priority, object? hostLabels = null) => new
    {
        name,
        image = $"registry/{name}:1",
        resources = new { cpuMillicores = cpu, memoryMiB = memory, gpuCount = gpus },
        priority,
        minInstances = 0,
        maxInstances = 100,
        desiredInstances = desired,
        hostLabels,
    };

    internal static async Task AssertInvariantsAsync(ControllerFactory factory, IReadOnlyDictionary<string, int> desired, string context)
    {
        var (engines, instances, hosts) = await factory.WithDbAsync(async db => (
            await db.Engines.AsNoTracking().ToListAsync(),
            await db.EngineInstances.AsNoTracking().ToListAsync(),
            await db.Hosts.AsNoTracking().ToListAsync()));
        foreach (var engine in engines)
        {
            var active = instances.Count(i => i.EngineId == engine.Id && i.IsActive);
            Assert.That(engine.ActiveInstances, Is.EqualTo(active), $"{context}: {engine.Name} count matches its instances");
            Assert.That(active, Is.LessThanOrEqualTo(desired[engine.Name]), $"{context}: {engine.Name} never above desired");
        }

        foreach (var host in hosts)
        {
            var holding = instances.Where(i => i.HostId == host.Id && i.HoldsResources).ToList();
            var used = holding.Aggregate(Resources.Zero, (sum, i) => sum + i.Resources);
            Assert.That(host.Capacity.Fits(used), Is.True, $"{context}: host {host.Hostname} overfilled");
            Assert.That(holding.SelectMany(i => i.GpuIndexes), Is.Unique, $"{context}: GPU given twice on {host.Hostname}");
            Assert.That(holding.Where(i => i.State == EngineInstanceState.Pending).All(i => host.State is Controller.Domain.Hosts.HostState.Active), Is.True,
                $"{context}: pending launch on a host that is not active");
        }
    }
}
