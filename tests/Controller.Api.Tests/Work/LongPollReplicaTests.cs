using System.Diagnostics;
using System.Net.Http.Json;
using Controller.Api.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Controller.Api.Tests.Work;

/// <summary>
/// Long polls across replicas on PostgreSQL: a task submitted on one replica reaches the calls held on the others at
/// once (LISTEN/NOTIFY), each task handed out once, and so does a drain; a listener whose connection drops listens
/// again, and a task notified meanwhile is found then (every held call asks again).
/// </summary>
public sealed class LongPollReplicaTests
{
    [Test]
    public async Task CopiesHeldOnTwoReplicas_TasksSubmittedOnAThird_EachHandedOutOnce_AtOnce()
    {
        var settings = TestDatabase.SharedPostgresSettings();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var a = new ControllerFactory(settings, clock);
        _ = a.Server; // the first migrates
        using var b = new ControllerFactory(settings, clock);
        using var c = new ControllerFactory(settings, clock);
        using var admin = a.Admin();
        using var submitter = c.Admin();
        var engineId = await admin.CreateEngineAsync("polled", desired: 2);
        using var agent = await Agent.RegisterAsync(a);
        agent.RunEngines = true;
        await agent.ReportAsync();
        await agent.ReportAsync();
        var ids = agent.InstancesOf(engineId).ToList();
        using var onA = Worker.Of(a, agent, engineId).Single(w => w.InstanceId == ids[0]);
        using var onB = new Worker(b, ids[1], agent.Containers[ids[1]].Launch["environment"]!["ENGINE_INSTANCE_TOKEN"]!.GetValue<string>());
        _ = b.Server;
        _ = c.Server;
        await Task.Delay(500); // the listeners are up

        var handedOut = new List<Guid>();
        for (var round = 0; round < 3; round++)
        {
            var calls = new[] { onA, onB }.Select(w => w.GetWorkRawWithAsync(new { maxItems = 1, waitSeconds = 20 })).ToList();
            await Task.Delay(300);
            Assert.That(calls.Any(t => t.IsCompleted), Is.False, "held: nothing to hand out yet");

            var submitted = Stopwatch.StartNew();
            await submitter.SubmitAsync(engineId);
            await submitter.SubmitAsync(engineId);
            var answers = await Task.WhenAll(calls.Select(async t => await (await t).ReadJsonAsync()));

            Assert.That(submitted.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3)), "woken by the other replica's notification, not by a re-ask");
            Assert.That(answers.Select(x => x["action"]!.GetValue<string>()), Is.EqualTo(new[] { "process", "process" }));
            handedOut.AddRange(answers.SelectMany(Worker.TaskIds));
            await onA.GetWorkAsync(0, Worker.Succeeded(Worker.TaskIds(answers[0]).Single()));
            await onB.GetWorkAsync(0, Worker.Succeeded(Worker.TaskIds(answers[1]).Single()));
        }

        Assert.That(handedOut, Is.Unique.And.Count.EqualTo(6));
    }

    [Test]
    public async Task AHostDrainedOnAnotherReplica_ItsCallHeldHere_IsTerminatedAtOnce()
    {
        using var pair = await TwoReplicas.WithOneCopyOnAAsync("drained");
        var (other, agent, worker) = (pair.OnB, pair.Agent, pair.Worker);

        var call = worker.GetWorkRawWithAsync(new { maxItems = 1, waitSeconds = 20 });
        await Task.Delay(300);
        Assert.That(call.IsCompleted, Is.False, "held");
        var drained = Stopwatch.StartNew();
        (await other.PostAsJsonAsync($"/host/{agent.HostId}/drain", new { })).EnsureSuccessStatusCode();

        Assert.That((await (await call).ReadJsonAsync())["action"]!.GetValue<string>(), Is.EqualTo("terminate"));
        Assert.That(drained.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3)), "woken by replica B's notification; no clock moved");
    }

    [Test]
    public async Task TheListenerDrops_ItListensAgain_AndATaskNotifiedMeanwhileIsFoundThen()
    {
        using var pair = await TwoReplicas.WithOneCopyOnAAsync("dropped");
        var (settings, other, engineId, worker) = (pair.Settings, pair.OnB, pair.EngineId, pair.Worker);

        // Every listening connection is cut, as a network blip would.
        await using (var connection = new NpgsqlConnection(settings["ConnectionStrings:Controller"]))
        {
            await connection.OpenAsync();
            await using var cut = new NpgsqlCommand("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()", connection);
            await cut.ExecuteNonQueryAsync();
        }

        var call = worker.GetWorkRawWithAsync(new { maxItems = 1, waitSeconds = 20 });
        await Task.Delay(100);
        await other.SubmitAsync(engineId); // perhaps before A listens again: its notification may be lost
        var waited = Stopwatch.StartNew();

        // Listening again (after a second), the replica has every held call ask again once: the task is found.
        Assert.That((await (await call).ReadJsonAsync())["action"]!.GetValue<string>(), Is.EqualTo("process"));
        Assert.That(waited.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "no clock moved: woken when the listener was back");

        // Listening again: the next task wakes a held call at once.
        var next = worker.GetWorkRawWithAsync(new { maxItems = 1, waitSeconds = 20, completed = Array.Empty<object>() });
        await Task.Delay(1500); // the listener has reconnected (it retries after a second)
        var submitted = Stopwatch.StartNew();
        await other.SubmitAsync(engineId);
        var answer = await (await next).ReadJsonAsync();
        Assert.That(answer["action"]!.GetValue<string>(), Is.EqualTo("process"));
        Assert.That(submitted.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3)));
    }

    /// <summary>Replicas A and B on one PostgreSQL database (one clock), an engine with one copy whose calls go to A, an admin on B.</summary>
    private sealed class TwoReplicas(Dictionary<string, string?> settings, ControllerFactory a, ControllerFactory b, HttpClient onB) : IDisposable
    {
        public Dictionary<string, string?> Settings => settings;

        public HttpClient OnB => onB;

        public Guid EngineId { get; private set; }

        public Agent Agent { get; private set; } = null!;

        public Worker Worker { get; private set; } = null!;

        public static async Task<TwoReplicas> WithOneCopyOnAAsync(string engine)
        {
            var settings = TestDatabase.SharedPostgresSettings();
            var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
            var a = new ControllerFactory(settings, clock);
            _ = a.Server; // the first migrates
            var b = new ControllerFactory(settings, clock);
            _ = b.Server;
            var pair = new TwoReplicas(settings, a, b, b.Admin());
            using var admin = a.Admin();
            pair.EngineId = await admin.CreateEngineAsync(engine, desired: 1);
            pair.Agent = await Agent.RegisterAsync(a);
            pair.Agent.RunEngines = true;
            await pair.Agent.ReportAsync();
            await pair.Agent.ReportAsync();
            pair.Worker = Worker.Of(a, pair.Agent, pair.EngineId).Single();
            await Task.Delay(500); // the listeners are up
            return pair;
        }

        public void Dispose()
        {
            Worker?.Dispose();
            Agent?.Dispose();
            onB.Dispose();
            b.Dispose();
            a.Dispose();
        }
    }
}
