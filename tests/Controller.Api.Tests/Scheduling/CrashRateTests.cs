using System.Net.Http.Json;
using Controller.Api.Tests.Infrastructure;
using Controller.Infrastructure.BackgroundServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Controller.Api.Tests.Scheduling;

/// <summary>
/// Healthy copies that crash independently (bad luck) are replaced at once and never put their engine in back-off,
/// so every engine stays at its desired count; an engine whose copies crash soon after they start (a crash loop)
/// still backs off. 20 simulated hosts through the real endpoints on a fake clock, one second per round.
/// </summary>
public sealed class CrashRateTests
{
    private const int Seed = 20261207;
    private const int HealthyAfterSeconds = 10;

    [Test]
    public async Task IndependentCrashesOfHealthyCopies_NoBackoff_EnginesStayAtTheirDesiredCount_WhileACrashLoopBacksOff()
    {
        TestContext.Out.WriteLine($"seed {Seed}");
        var random = new Random(Seed);
        using var factory = new ControllerFactory(new Dictionary<string, string?>
        {
            ["Scheduling:HealthyAfterSeconds"] = HealthyAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Scheduling:StartupGraceSeconds"] = "0",
            ["Scheduling:SnapshotMaxAgeMilliseconds"] = "0",
        });
        using var admin = factory.Admin();
        var desired = new Dictionary<string, int> { ["ocr"] = 12, ["asr"] = 8, ["vision"] = 4, ["crashloop"] = 2 };
        foreach (var (name, count) in desired)
        {
            await admin.PostAsJsonAsync("/engine", new
            {
                name,
                image = $"registry/{name}:1",
                resources = new { cpuMillicores = 500, memoryMiB = 512 },
                desiredInstances = count,
            });
        }

        var engineNames = (await factory.WithDbAsync(db => db.Engines.AsNoTracking().ToListAsync())).ToDictionary(e => e.Id, e => e.Name);
        var agents = new List<Agent>();
        for (var i = 0; i < 20; i++)
        {
            var agent = await Agent.RegisterAsync(factory, cpu: 8000, memory: 16384);
            agent.RunEngines = true;
            agents.Add(agent);
        }

        var runningSince = new Dictionary<Guid, int>();
        var crashes = 0;
        var crashLoopBackedOff = false;
        var sweep = factory.Services.GetRequiredService<SweepService>();
        for (var round = 1; round <= 90; round++)
        {
            foreach (var agent in agents.OrderBy(_ => random.Next()))
            {
                foreach (var (id, container) in agent.Containers.Where(c => c.Value.State == "running").ToList())
                {
                    var age = round - runningSince.GetValueOrDefault(id, round);
                    var crashLoop = engineNames[Guid.Parse(container.Launch["engineId"]!.GetValue<string>())] == "crashloop";
                    if (crashLoop ? age >= 3 : round <= 75 && age > HealthyAfterSeconds + 2 && random.Next(100) < 3)
                    {
                        agent.Crash(id); // the crash loop's copies die 3 s after they start; the others are healthy and unlucky
                        crashes += crashLoop ? 0 : 1;
                    }
                }

                await agent.ReportAsync();
                foreach (var (id, _) in agent.Containers.Where(c => c.Value.State == "running"))
                {
                    runningSince.TryAdd(id, round);
                }
            }

            factory.Clock.Advance(TimeSpan.FromSeconds(1));
            await sweep.TickAsync(CancellationToken.None);
            await SimulationTests.AssertInvariantsAsync(factory, desired, $"round {round}");
            var engines = await factory.WithDbAsync(db => db.Engines.AsNoTracking().ToListAsync());
            crashLoopBackedOff |= engines.Single(e => e.Name == "crashloop").InBackoffAt(factory.Clock.GetUtcNow());
            foreach (var engine in engines.Where(e => e.Name != "crashloop"))
            {
                Assert.That(engine.ConsecutiveFailures, Is.Zero, $"round {round}: {engine.Name} backs off for crashes of healthy copies");
                if (round > 20)
                {
                    Assert.That(engine.ActiveInstances, Is.EqualTo(desired[engine.Name]), $"round {round}: {engine.Name} is at its desired count");
                }
            }
        }

        TestContext.Out.WriteLine($"{crashes} crashes of healthy copies");
        Assert.That(crashes, Is.GreaterThan(20), "the simulation crashed healthy copies");
        Assert.That(crashLoopBackedOff, Is.True, "a copy that crashes 3 s after it starts is a crash loop: its engine backs off");
        foreach (var agent in agents)
        {
            agent.Dispose();
        }
    }
}
