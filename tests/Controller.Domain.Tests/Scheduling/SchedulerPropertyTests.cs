using Controller.Domain.Common;
using Controller.Domain.EngineInstances;
using Controller.Domain.Scheduling;

namespace Controller.Domain.Tests.Scheduling;

/// <summary>
/// Random clusters (fixed, printed seeds): whatever the inputs, a decision never overcommits the host, never
/// launches more than an engine's deficit, never launches on a host that is not active, never hands out a
/// GPU twice, and respects priorities (a lower-priority engine is placed only if no higher one still fits).
/// </summary>
public sealed class SchedulerPropertyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [TestCase(1)]
    [TestCase(42)]
    [TestCase(20261128)]
    public void Decide_RandomClusters_KeepsEveryInvariant(int seed)
    {
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        for (var trial = 0; trial < 500; trial++)
        {
            var engines = Enumerable.Range(0, random.Next(1, 12)).Select(i => new EngineDemand(
                Guid.NewGuid(), $"e{i}", random.Next(0, 5), new Resources(random.Next(1, 8) * 250, random.Next(1, 8) * 512, random.Next(0, 3) == 0 ? random.Next(1, 3) : 0, 0),
                new Dictionary<string, string>(), random.Next(0, 6), random.Next(0, 3), random.Next(0, 10) == 0, random.Next(0, 8) == 0,
                random.Next(1, 6), random.Next(0, 2) == 0)).ToList();
            var gpuCount = random.Next(0, 5);
            var capacity = new Resources(random.Next(1, 33) * 500, random.Next(1, 33) * 1024, gpuCount, 100_000);
            var placed = new List<PlacedInstance>();
            var used = Resources.Zero;
            var usedGpus = new HashSet<int>();
            foreach (var engine in engines)
            {
                for (var n = random.Next(0, 3); n > 0; n--)
                {
                    var free = capacity - used;
                    var gpus = Enumerable.Range(0, gpuCount).Where(g => !usedGpus.Contains(g)).Take(engine.Resources.GpuCount).ToArray();
                    if (!free.Fits(engine.Resources) || gpus.Length < engine.Resources.GpuCount)
                    {
                        break;
                    }

                    used += engine.Resources;
                    usedGpus.UnionWith(gpus);
                    placed.Add(new PlacedInstance(Guid.NewGuid(), engine.EngineId, (EngineInstanceState)random.Next(0, 4), engine.Resources, gpus, T0));
                }
            }

            var role = (HostRole)random.Next(0, 5);
            Resources? reported = random.Next(0, 2) == 0 ? null : new Resources(random.Next(0, capacity.CpuMillicores + 1), random.Next(0, capacity.MemoryMiB + 1), gpuCount, 100_000);
            var host = new HostSnapshot(Guid.NewGuid(), role, capacity, reported, new Dictionary<string, string>(), Enumerable.Range(0, gpuCount).ToList(), placed);
            var policy = random.Next(0, 2) == 0 ? PlacementPolicy.Spread : PlacementPolicy.Binpack;

            var decision = Scheduler.Decide(host, engines, policy);

            var context = $"seed {seed}, trial {trial}";
            if (role != HostRole.Active)
            {
                Assert.That(decision.Launches, Is.Empty, context);
                continue;
            }

            var byId = engines.ToDictionary(e => e.EngineId);
            var launched = decision.Launches.Select(l => byId[l.EngineId].Resources).Aggregate(Resources.Zero, (a, b) => a + b);
            Assert.That(capacity.Fits(used + launched), Is.True, $"{context}: overcommit");
            if (reported is { } r)
            {
                var pending = placed.Where(p => p.State == EngineInstanceState.Pending).Select(p => p.Resources).Aggregate(Resources.Zero, (a, b) => a + b);
                Assert.That((r - pending).Fits(launched) || launched == Resources.Zero, Is.True, $"{context}: beyond what the agent reports free");
            }

            foreach (var group in decision.Launches.GroupBy(l => l.EngineId))
            {
                var engine = byId[group.Key];
                Assert.That(group.Count(), Is.LessThanOrEqualTo(engine.Deficit), $"{context}: above desired");
                Assert.That(engine.InBackoff || engine.Deleting, Is.False, $"{context}: launched while backing off or deleting");
            }

            var newGpus = decision.Launches.SelectMany(l => l.GpuIndexes).ToList();
            Assert.That(newGpus, Is.Unique, $"{context}: GPU handed out twice");
            Assert.That(newGpus.Intersect(usedGpus), Is.Empty, $"{context}: GPU already in use");

            // Priority: an engine left with deficit that would still fit means no lower-priority engine was launched after it.
            var freeAfter = Resources.Min(capacity - used - launched, reported is { } rr ? rr - placed.Where(p => p.State == EngineInstanceState.Pending).Select(p => p.Resources).Aggregate(Resources.Zero, (a, b) => a + b) - launched : capacity);
            foreach (var starved in engines.Where(e => !e.InBackoff && !e.Deleting && e.Deficit > decision.Launches.Count(l => l.EngineId == e.EngineId)
                                                       && freeAfter.Fits(e.Resources) && (policy == PlacementPolicy.Binpack)))
            {
                Assert.Fail($"{context}: engine {starved.Name} still fits but was not placed");
            }
        }
    }
}
