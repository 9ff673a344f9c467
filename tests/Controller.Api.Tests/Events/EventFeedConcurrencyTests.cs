using System.Net;
using System.Net.Http.Json;
using Controller.Api.Tests.Infrastructure;

namespace Controller.Api.Tests.Events;

/// <summary>
/// Three replicas on one PostgreSQL database write events concurrently (engines created through every replica, agents
/// reporting launches) while followers read the feed with a cursor, each through another replica. Every follower's
/// sequence equals the whole feed read afterwards: the cursor never skipped an event that committed late, nor repeated one.
/// </summary>
public sealed class EventFeedConcurrencyTests
{
    private const int WritersPerReplica = 6;
    private const int EnginesPerWriter = 15;

    [Test]
    public async Task ThreeReplicas_ConcurrentWriters_FollowersNeverSkipOrRepeat()
    {
        var settings = TestDatabase.SharedPostgresSettings(("Scheduling:HostLostAfterSeconds", "86400"));
        var replicas = Enumerable.Range(0, 3).Select(_ => new ControllerFactory(settings)).ToList();
        try
        {
            var admins = replicas.Select(r => r.Admin()).ToList();
            var agents = new List<Agent>();
            for (var i = 0; i < 6; i++)
            {
                agents.Add(await Agent.RegisterAsync(replicas[i % 3], cpu: 1_000_000, memory: 10_000_000));
            }

            using var done = new CancellationTokenSource();
            var followers = Enumerable.Range(0, 3).Select(i => FollowAsync(admins[i], done.Token)).ToList();

            var writers = new List<Task>();
            for (var r = 0; r < 3; r++)
            {
                for (var w = 0; w < WritersPerReplica; w++)
                {
                    var admin = admins[r];
                    var prefix = $"r{r}w{w}";
                    writers.Add(Task.Run(async () =>
                    {
                        for (var n = 0; n < EnginesPerWriter; n++)
                        {
                            var created = await admin.PostAsJsonAsync("/engine", new
                            {
                                name = $"{prefix}-{n}",
                                image = "registry/e:1",
                                resources = new { cpuMillicores = 10, memoryMiB = 10 },
                                minInstances = 0,
                                maxInstances = 2,
                                desiredInstances = 1,
                            });
                            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
                        }
                    }));
                }
            }

            foreach (var agent in agents)
            {
                writers.Add(Task.Run(async () =>
                {
                    for (var round = 0; round < 12; round++)
                    {
                        await agent.ReportAsync();
                    }
                }));
            }

            await Task.WhenAll(writers);
            await done.CancelAsync();
            var followed = await Task.WhenAll(followers);

            var whole = await ReadAllAsync(admins[0]);
            Assert.That(whole.Count, Is.GreaterThan(3 * WritersPerReplica * EnginesPerWriter));
            Assert.That(whole, Is.Ordered.Ascending.And.Unique);
            foreach (var seen in followed)
            {
                Assert.That(seen, Is.EqualTo(whole), "a follower's events are exactly the feed, in order");
            }

            admins.ForEach(a => a.Dispose());
            agents.ForEach(a => a.Dispose());
        }
        finally
        {
            replicas.ForEach(r => r.Dispose());
        }
    }

    /// <summary>Reads on with the cursor as fast as it can until told to stop, then once more to the end.</summary>
    private static async Task<List<long>> FollowAsync(HttpClient admin, CancellationToken stop)
    {
        await Task.Yield();
        var seen = new List<long>();
        long after = 0;
        while (true)
        {
            var last = stop.IsCancellationRequested;
            while (true)
            {
                var page = await (await admin.GetAsync($"/event?after={after}&limit=50", CancellationToken.None)).ReadJsonAsync();
                var ids = page["items"]!.AsArray().Select(i => i!["eventId"]!.GetValue<long>()).ToList();
                seen.AddRange(ids);
                after = page["lastEventId"]!.GetValue<long>();
                if (ids.Count < 50)
                {
                    break;
                }
            }

            if (last)
            {
                return seen;
            }
        }
    }

    private static async Task<List<long>> ReadAllAsync(HttpClient admin)
    {
        var all = new List<long>();
        long after = 0;
        while (true)
        {
            var page = await (await admin.GetAsync($"/event?after={after}&limit=500")).ReadJsonAsync();
            var ids = page["items"]!.AsArray().Select(i => i!["eventId"]!.GetValue<long>()).ToList();
            if (ids.Count == 0)
            {
                return all;
            }

            all.AddRange(ids);
            after = ids[^1];
        }
    }
}
