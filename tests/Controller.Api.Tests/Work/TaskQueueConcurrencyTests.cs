using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Controller.Api.Tests.Infrastructure;
using Controller.Domain.Work;
using Controller.Infrastructure.BackgroundServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Controller.Api.Tests.Work;

/// <summary>
/// Three replicas on one PostgreSQL database, 50 engine instances pulling 2,000 tasks through whichever replica, crashing
/// at random (their leases are abandoned and expire), failing some tasks, reporting late: at the end every task
/// succeeded once or failed after its last attempt, and no task was ever leased to two instances at once (every hand-out
/// is logged: a task's attempt numbers are never handed out twice).
/// </summary>
public sealed class TaskQueueConcurrencyTests
{
    private const int Tasks = 2000;
    private const int Instances = 50;
    private const int MaxAttempts = 5;
    private const int LeaseSeconds = 30;

    [Test]
    public async Task ThreeReplicas_FiftyCrashingInstances_EveryTaskEndsOnce_NoneLeasedTwice()
    {
        var settings = TestDatabase.SharedPostgresSettings(
            ("Scheduling:SweepIntervalSeconds", "3600"),
            ("Scheduling:InstanceHeartbeatTimeoutSeconds", "86400"),
            ("Scheduling:HostLostAfterSeconds", "86400"),
            ("RateLimiting:PerCallerPerSecond", "100000"),
            ("RateLimiting:PerCallerBurst", "100000"));
        var replicas = new List<ControllerFactory>();
        for (var i = 0; i < 3; i++)
        {
            var replica = new ControllerFactory(settings);
            _ = replica.Server;
            replicas.Add(replica);
        }

        using var admin = replicas[0].Admin();
        var engineId = await admin.CreateEngineAsync("pull", Instances, max: Instances);
        var agents = new List<Agent>();
        for (var i = 0; i < 5; i++)
        {
            var agent = await Agent.RegisterAsync(replicas[i % 3], cpu: 10_000, memory: 10_240);
            agent.RunEngines = true;
            agents.Add(agent);
        }

        for (var round = 0; round < 3; round++)
        {
            foreach (var agent in agents)
            {
                await agent.ReportAsync();
            }
        }

        var instanceIds = agents.SelectMany(a => a.InstancesOf(engineId).Select(id => (Agent: a, Id: id))).ToList();
        Assert.That(instanceIds, Has.Count.EqualTo(Instances));

        for (var i = 0; i < Tasks; i += 500)
        {
            var batch = await admin.PostAsJsonAsync("/task/batch", new
            {
                tasks = Enumerable.Range(i, 500).Select(n => new { engineId, payload = new { n }, priority = n % 3, maxAttempts = MaxAttempts, timeoutSeconds = LeaseSeconds }),
            });
            Assert.That(batch.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }

        // One worker per instance and replica (the instance's calls go through whichever replica the round says).
        var workers = instanceIds.Select(x => replicas.Select(r => new Worker(r, x.Id, x.Agent.Containers[x.Id].Launch["environment"]!["ENGINE_INSTANCE_TOKEN"]!.GetValue<string>())).ToList()).ToList();
        var held = instanceIds.Select(_ => new List<Guid>()).ToList();
        var handOuts = new ConcurrentBag<(Guid Task, int Attempt, Guid Instance)>();
        var succeeded = new ConcurrentDictionary<Guid, int>();
        var random = new Random(20261129);
        var crashes = 0;
        var refusals = 0;

        for (var round = 0; round < 400; round++)
        {
            // The plan of the round is drawn up front (the random source is not shared between threads).
            var plans = Enumerable.Range(0, Instances).Select(i => (
                Replica: (i + round) % 3,
                Crash: random.NextDouble() < 0.03,
                Fail: held[i].Select(_ => random.NextDouble() < 0.05).ToList(),
                MaxItems: random.Next(1, 4))).ToList();
            await Task.WhenAll(Enumerable.Range(0, Instances).Select(async i =>
            {
                var plan = plans[i];
                if (plan.Crash)
                {
                    // The engine crashed and came back: what it held is forgotten, its leases expire.
                    Interlocked.Increment(ref crashes);
                    held[i].Clear();
                }

                var completed = held[i].Select((t, k) => plan.Fail[k] ? Worker.Failed(t, "simulated failure") : Worker.Succeeded(t)).ToList();
                var worker = workers[i][plan.Replica];
                var response = await worker.GetWorkRawAsync(plan.MaxItems, [.. completed]);
                while (response.StatusCode == HttpStatusCode.Conflict)
                {
                    var body = await response.ReadJsonAsync();
                    Assert.That(body["ErrorId"]!.GetValue<string>(), Is.EqualTo("outcome_refused"), body.ToJsonString());
                    var refused = body["ErrorDetail"]!["refused"]!.AsArray().Select(r => Guid.Parse(r!["taskId"]!.GetValue<string>())).ToHashSet();
                    Interlocked.Add(ref refusals, refused.Count);
                    var kept = held[i].Where(t => !refused.Contains(t)).ToList();
                    completed = [.. kept.Select(t => plan.Fail[held[i].IndexOf(t)] ? Worker.Failed(t, "simulated failure") : Worker.Succeeded(t))];
                    held[i] = kept;
                    response = await worker.GetWorkRawAsync(plan.MaxItems, [.. completed]);
                }

                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
                for (var k = 0; k < held[i].Count; k++)
                {
                    if (!plan.Fail[k])
                    {
                        succeeded.AddOrUpdate(held[i][k], 1, (_, n) => n + 1);
                    }
                }

                var answer = await response.ReadJsonAsync();
                held[i] = [];
                foreach (var item in answer["items"]!.AsArray())
                {
                    var taskId = Guid.Parse(item!["taskId"]!.GetValue<string>());
                    handOuts.Add((taskId, item["attempt"]!.GetValue<int>(), workers[i][0].InstanceId));
                    held[i].Add(taskId);
                }
            }));

            // Time passes now and then: abandoned leases expire and the sweep puts their tasks back (or fails them).
            if (round % 8 == 7)
            {
                foreach (var replica in replicas)
                {
                    replica.Clock.Advance(TimeSpan.FromSeconds(LeaseSeconds + 1));
                }

                await replicas[0].Services.GetRequiredService<SweepService>().TickAsync(CancellationToken.None);
            }

            var open = await replicas[0].WithDbAsync(db => db.Tasks.CountAsync(t => t.State == WorkTaskState.Queued || t.State == WorkTaskState.Leased));
            if (open == 0)
            {
                break;
            }
        }

        var tasks = await replicas[0].WithDbAsync(db => db.Tasks.AsNoTracking().ToListAsync());
        var duplicates = handOuts.GroupBy(h => (h.Task, h.Attempt)).Where(g => g.Count() > 1).ToList();
        TestContext.Out.WriteLine($"hand-outs: {handOuts.Count}, crashes: {crashes}, late outcomes refused: {refusals}, " +
                                  $"succeeded: {tasks.Count(t => t.State == WorkTaskState.Succeeded)}, failed: {tasks.Count(t => t.State == WorkTaskState.Failed)}");
        Assert.Multiple(() =>
        {
            Assert.That(tasks, Has.Count.EqualTo(Tasks), "no task lost");
            Assert.That(tasks.Where(t => t.State is not (WorkTaskState.Succeeded or WorkTaskState.Failed)), Is.Empty, "every task ended");
            Assert.That(tasks.Where(t => t.State == WorkTaskState.Failed && t.Attempts != MaxAttempts), Is.Empty, "failed only after its last attempt");
            Assert.That(duplicates, Is.Empty, "no attempt of a task handed out twice: never leased to two instances at once");
            Assert.That(succeeded.Where(s => s.Value > 1), Is.Empty, "no task reported succeeded twice");
            Assert.That(tasks.Where(t => t.State == WorkTaskState.Succeeded).Select(t => t.Id), Is.EquivalentTo(succeeded.Keys), "every accepted success is the task's end");
            Assert.That(handOuts.GroupBy(h => h.Task).All(g => g.Select(h => h.Attempt).Order().SequenceEqual(Enumerable.Range(1, g.Count()))), Is.True,
                "attempts count up by one per hand-out");
        });

        foreach (var disposable in workers.SelectMany(w => w).Cast<IDisposable>().Concat(agents).Concat(replicas))
        {
            disposable.Dispose();
        }
    }
}
