using System.Diagnostics;
using Controller.Api.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Controller.Api.Tests.Work;

/// <summary>
/// Long polls across replicas on PostgreSQL: a task submitted on one replica reaches the calls held on the others at
/// once (LISTEN/NOTIFY), each task handed out once; a listener whose connection drops listens again, and a task
/// notified meanwhile is found at the held call's re-ask.
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
    public async Task TheListenerDrops_ItListensAgain_AndATaskNotifiedMeanwhileIsFoundAtTheReAsk()
    {
        var settings = TestDatabase.SharedPostgresSettings();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var a = new ControllerFactory(settings, clock);
        _ = a.Server;
        using var b = new ControllerFactory(settings, clock);
        _ = b.Server;
        using var admin = a.Admin();
        using var other = b.Admin();
        var engineId = await admin.CreateEngineAsync("dropped", desired: 1);
        using var agent = await Agent.RegisterAsync(a);
        agent.RunEngines = true;
        await agent.ReportAsync();
        await agent.ReportAsync();
        using var worker = Worker.Of(a, agent, engineId).Single();
        await Task.Delay(500);

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
        for (var step = 0; step < 20 && !call.IsCompleted; step++)
        {
            await Task.Delay(200);
            if (step == 10)
            {
                clock.Advance(Application.Work.Commands.GetWork.GetWorkCommandHandler.FallbackInterval); // the re-ask
            }
        }

        Assert.That((await (await call).ReadJsonAsync())["action"]!.GetValue<string>(), Is.EqualTo("process"));

        // Listening again: the next task wakes a held call at once.
        var next = worker.GetWorkRawWithAsync(new { maxItems = 1, waitSeconds = 20, completed = Array.Empty<object>() });
        await Task.Delay(1500); // the listener has reconnected (it retries after a second)
        var submitted = Stopwatch.StartNew();
        await other.SubmitAsync(engineId);
        var answer = await (await next).ReadJsonAsync();
        Assert.That(answer["action"]!.GetValue<string>(), Is.EqualTo("process"));
        Assert.That(submitted.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3)));
    }
}
