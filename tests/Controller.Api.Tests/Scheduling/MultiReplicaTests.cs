using System.Net.Http.Json;
using Controller.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Controller.Api.Tests.Scheduling;

/// <summary>
/// Three controller replicas on one PostgreSQL database, 100 simulated hosts reporting concurrently, each round through a different replica. After every
/// round no engine is above its desired count and no host is overfilled; at the end every engine converged.
/// </summary>
public sealed class MultiReplicaTests
{
    [Test]
    public async Task ThreeReplicas_HundredHostsConcurrently_PlacementStaysExact()
    {
        var settings = new Dictionary<string, string?> { ["Scheduling:SnapshotMaxAgeMilliseconds"] = "0" };
        var postgres = TestDatabase.PostgresConnectionString();
        if (postgres is not null)
        {
            settings["Database:Provider"] = "Postgres";
            settings["ConnectionStrings:Controller"] = TestDatabase.CreatePostgresDatabase(postgres);
        }
        else
        {
            Assert.Ignore("Several replicas share a server database (PostgreSQL or SQL Server), not the embedded SQLite file; " +
                          "this test runs in the PostgreSQL pass of scripts/test.sh (set CONTROLLER_TEST_POSTGRES to run it here).");
        }

        TestContext.Out.WriteLine($"database: {settings["Database:Provider"]}");
        var replicas = new List<ControllerFactory>();
        for (var i = 0; i < 3; i++)
        {
            var replica = new ControllerFactory(settings);
            _ = replica.Server; // start one after the other: the first migrates
            replicas.Add(replica);
        }

        using var admin = replicas[0].Admin();
        var desired = new Dictionary<string, int> { ["a"] = 60, ["b"] = 40, ["c"] = 25 };
        foreach (var (name, count) in desired)
        {
            var created = await admin.PostAsJsonAsync("/engine", new
            {
                name,
                image = $"registry/{name}:1",
                resources = new { cpuMillicores = 1000, memoryMiB = 1024 },
                priority = count,
                minInstances = 0,
                maxInstances = 200,
                desiredInstances = count,
            });
            Assert.That(created.IsSuccessStatusCode, Is.True);
        }

        var agents = new List<Agent>();
        for (var i = 0; i < 100; i++)
        {
            agents.Add(await Agent.RegisterAsync(replicas[i % 3], cpu: 2000, memory: 8192));
        }

        for (var round = 0; round < 6; round++)
        {
            for (var i = 0; i < agents.Count; i++)
            {
                agents[i].UseReplica(replicas[(i + round) % 3]);
            }

            await Task.WhenAll(agents.Select(a => a.ReportAsync()));
            await SimulationTests.AssertInvariantsAsync(replicas[0], desired, $"round {round}");
        }

        var engines = await replicas[0].WithDbAsync(db => db.Engines.AsNoTracking().ToListAsync());
        Assert.Multiple(() =>
        {
            foreach (var engine in engines)
            {
                Assert.That(engine.ActiveInstances, Is.EqualTo(desired[engine.Name]), $"{engine.Name} converged");
            }
        });
        TestContext.Out.WriteLine($"409s retried by agents: {agents.Sum(a => a.ConflictsRetried)}");
        foreach (var disposable in agents.Cast<IDisposable>().Concat(replicas))
        {
            disposable.Dispose();
        }
    }
}
