using System.Net;
using System.Net.Http.Json;
using Controller.Api.Tests.Infrastructure;
using Controller.Infrastructure.BackgroundServices;
using Microsoft.Extensions.DependencyInjection;

namespace Controller.Api.Tests.Work;

/// <summary>The task queue end to end: submit, getwork, outcomes, leases, cancel, drain and backlog scaling.</summary>
public sealed class TaskQueueTests
{
    private ControllerFactory _factory = null!;
    private HttpClient _admin = null!;

    [SetUp]
    public void SetUp()
    {
        _factory = new ControllerFactory(new Dictionary<string, string?>
        {
            // Only the test's own ticks sweep.
            ["Scheduling:SweepIntervalSeconds"] = "3600",
            ["Scheduling:InstanceHeartbeatTimeoutSeconds"] = "3600",
            ["Scheduling:HostLostAfterSeconds"] = "3600",

            // Backlog counts stop at five; scaling counts as far as its engines need.
            ["Work:BacklogCountLimit"] = "5",
        });
        _admin = _factory.Admin();
    }

    [TearDown]
    public void TearDown()
    {
        _admin.Dispose();
        _factory.Dispose();
    }

    private Task<bool> SweepAsync() => _factory.Services.GetRequiredService<SweepService>().TickAsync(CancellationToken.None);

    /// <summary>An engine with <paramref name="copies"/> running copies on one host, and their workers.</summary>
    private async Task<(Guid EngineId, Agent Agent, List<Worker> Workers)> RunningEngineAsync(int copies = 1, object? scaling = null, int max = 10)
    {
        var engineId = await _admin.CreateEngineAsync("e" + Guid.NewGuid().ToString("N")[..8], copies, scaling, max: max);
        var agent = await Agent.RegisterAsync(_factory);
        agent.RunEngines = true;
        await agent.ReportAsync();
        await agent.ReportAsync();
        return (engineId, agent, Worker.Of(_factory, agent, engineId));
    }

    [Test]
    public async Task GetWork_HandsOutHighestPriorityFirst_OldestFirstWithinIt_ThenWaits()
    {
        var (engineId, agent, workers) = await RunningEngineAsync();
        var low = (await _admin.SubmitAsync(engineId, priority: 0)).Id();
        var highA = (await _admin.SubmitAsync(engineId, priority: 50)).Id();
        _factory.Clock.Advance(TimeSpan.FromMilliseconds(5));
        var highB = (await _admin.SubmitAsync(engineId, priority: 50)).Id();
        var mid = (await _admin.SubmitAsync(engineId, priority: 10)).Id();

        var order = new List<Guid>();
        var answer = await workers[0].GetWorkAsync();
        while (answer["action"]!.GetValue<string>() == "process")
        {
            var item = answer["items"]!.AsArray().Single()!;
            Assert.That(item["attempt"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(item["payload"]!["n"]!.GetValue<int>(), Is.EqualTo(1));
            var id = Guid.Parse(item["taskId"]!.GetValue<string>());
            order.Add(id);
            answer = await workers[0].GetWorkAsync(1, Worker.Succeeded(id, new { words = order.Count }));
        }

        Assert.That(order, Is.EqualTo(new[] { highA, highB, mid, low }));
        Assert.That(answer["action"]!.GetValue<string>(), Is.EqualTo("wait"));
        Assert.That(answer["waitSeconds"]!.GetValue<int>(), Is.GreaterThan(0));
        var done = await _admin.TaskAsync(low);
        Assert.That(done["state"]!.GetValue<string>(), Is.EqualTo("succeeded"));
        Assert.That(done["result"]!["words"]!.GetValue<int>(), Is.EqualTo(4));
        agent.Dispose();
    }

    [Test]
    public async Task ExpiredLease_RefusesTheLateOutcome_RetriesThenDeadLetters()
    {
        var (engineId, agent, workers) = await RunningEngineAsync();
        var taskId = (await _admin.SubmitAsync(engineId, maxAttempts: 2, timeoutSeconds: 30)).Id();
        Assert.That(Worker.TaskIds(await workers[0].GetWorkAsync()), Is.EqualTo(new[] { taskId }));

        _factory.Clock.Advance(TimeSpan.FromSeconds(31));
        var late = await workers[0].GetWorkRawAsync(1, Worker.Succeeded(taskId));
        var error = await late.AssertErrorAsync(HttpStatusCode.Conflict, "outcome_refused");
        Assert.That(error["ErrorDetail"]!["refused"]![0]!["reason"]!.GetValue<string>(), Is.EqualTo("lease_expired"));
        Assert.That((await _admin.TaskAsync(taskId))["state"]!.GetValue<string>(), Is.EqualTo("leased"), "a refused outcome changes nothing");

        await SweepAsync();
        var requeued = await _admin.TaskAsync(taskId);
        Assert.That(requeued["state"]!.GetValue<string>(), Is.EqualTo("queued"));
        Assert.That(requeued["error"]!.GetValue<string>(), Is.EqualTo("lease expired"));

        var second = await workers[0].GetWorkAsync();
        Assert.That(second["items"]![0]!["attempt"]!.GetValue<int>(), Is.EqualTo(2));
        _factory.Clock.Advance(TimeSpan.FromSeconds(31));
        await SweepAsync();

        var dead = await _admin.TaskAsync(taskId);
        Assert.That(dead["state"]!.GetValue<string>(), Is.EqualTo("failed"));
        Assert.That(dead["attempts"]!.GetValue<int>(), Is.EqualTo(2));
        var deadLetters = await (await _admin.GetAsync($"/task?engineId={engineId}&state=failed")).ReadJsonAsync();
        Assert.That(deadLetters["items"]!.AsArray().Select(t => t!["taskId"]!.GetValue<string>()), Is.EqualTo(new[] { taskId.ToString() }));
        agent.Dispose();
    }

    [Test]
    public async Task HeartbeatsExtendTheLease()
    {
        var (engineId, agent, workers) = await RunningEngineAsync();
        var taskId = (await _admin.SubmitAsync(engineId, timeoutSeconds: 30)).Id();
        await workers[0].GetWorkAsync();
        for (var i = 0; i < 4; i++)
        {
            _factory.Clock.Advance(TimeSpan.FromSeconds(20));
            await workers[0].HeartbeatAsync(busy: true);
            await SweepAsync();
        }

        Assert.That((await _admin.TaskAsync(taskId))["state"]!.GetValue<string>(), Is.EqualTo("leased"));
        var answer = await workers[0].GetWorkAsync(0, Worker.Succeeded(taskId));
        Assert.That(answer["action"]!.GetValue<string>(), Is.EqualTo("wait"));
        Assert.That((await _admin.TaskAsync(taskId))["state"]!.GetValue<string>(), Is.EqualTo("succeeded"));
        agent.Dispose();
    }

    [Test]
    public async Task LostAnswer_TheNextCallNamesWhatItHolds_AndTheTaskIsHandedOutAgainAtOnce()
    {
        var (engineId, agent, workers) = await RunningEngineAsync();
        var taskId = (await _admin.SubmitAsync(engineId, timeoutSeconds: 3600)).Id();
        await workers[0].GetWorkAsync(); // the answer is lost on its way: the engine never saw the task

        await workers[0].GetWorkWithAsync(new { completed = Array.Empty<object>(), maxItems = 0, holding = Array.Empty<Guid>() });

        var task = await _admin.TaskAsync(taskId);
        Assert.That(task["state"]!.GetValue<string>(), Is.EqualTo("queued"), "back now, not after its one-hour lease");
        Assert.That(task["error"]!.GetValue<string>(), Is.EqualTo("the engine instance it was leased to did not have it"));
        var again = await workers[0].GetWorkWithAsync(new { maxItems = 1, holding = Array.Empty<Guid>() });
        Assert.That(Worker.TaskIds(again), Is.EqualTo(new[] { taskId }));
        Assert.That((await _admin.TaskAsync(taskId))["attempts"]!.GetValue<int>(), Is.EqualTo(2), "the lost hand-out counted as an attempt");

        // Named, it is kept; named as held and as completed at once, the call is refused and changes nothing.
        await workers[0].GetWorkWithAsync(new { maxItems = 0, holding = new[] { taskId } });
        Assert.That((await _admin.TaskAsync(taskId))["attempts"]!.GetValue<int>(), Is.EqualTo(2));
        using var both = await workers[0].GetWorkRawWithAsync(new { completed = new[] { Worker.Succeeded(taskId) }, maxItems = 0, holding = new[] { taskId } });
        Assert.That(both.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await _admin.TaskAsync(taskId))["state"]!.GetValue<string>(), Is.EqualTo("leased"));
        await workers[0].GetWorkAsync(0, Worker.Succeeded(taskId));
        Assert.That((await _admin.TaskAsync(taskId))["state"]!.GetValue<string>(), Is.EqualTo("succeeded"));
        agent.Dispose();
    }

    [Test]
    public async Task InstanceEnds_ItsTaskGoesBackAtTheNextSweep_WithoutWaitingForTheLease()
    {
        var (engineId, agent, workers) = await RunningEngineAsync();
        var taskId = (await _admin.SubmitAsync(engineId, timeoutSeconds: 3600)).Id();
        Assert.That(Worker.TaskIds(await workers[0].GetWorkAsync()), Is.EqualTo(new[] { taskId }));

        // The container dies while its engine holds the task; the agent reports it exited.
        agent.Crash(workers[0].InstanceId);
        await agent.ReportAsync();
        await SweepAsync();

        var task = await _admin.TaskAsync(taskId);
        Assert.That(task["state"]!.GetValue<string>(), Is.EqualTo("queued"), "back long before its one-hour lease ends");
        Assert.That(task["error"]!.GetValue<string>(), Is.EqualTo("the engine instance holding it ended"));
        Assert.That(task["attempts"]!.GetValue<int>(), Is.EqualTo(1));
        agent.Dispose();
    }

    [Test]
    public async Task ReportedFailures_RetryThenFailWithTheLastError()
    {
        var (engineId, agent, workers) = await RunningEngineAsync();
        var taskId = (await _admin.SubmitAsync(engineId, maxAttempts: 2)).Id();
        await workers[0].GetWorkAsync();
        await workers[0].GetWorkAsync(0, Worker.Failed(taskId, "decoder crashed"));
        var requeued = await _admin.TaskAsync(taskId);
        Assert.That(requeued["state"]!.GetValue<string>(), Is.EqualTo("queued"));
        Assert.That(requeued["error"]!.GetValue<string>(), Is.EqualTo("decoder crashed"));
        var retry = await workers[0].GetWorkAsync();
        Assert.That(retry["items"]![0]!["attempt"]!.GetValue<int>(), Is.EqualTo(2), "back in the queue, handed out again");
        await workers[0].GetWorkAsync(1, Worker.Failed(taskId, "decoder crashed again"));

        var task = await _admin.TaskAsync(taskId);
        Assert.That(task["state"]!.GetValue<string>(), Is.EqualTo("failed"));
        Assert.That(task["error"]!.GetValue<string>(), Is.EqualTo("decoder crashed again"));

        // The answer to the last report was lost: the engine repeats it, and nothing changes.
        var repeat = await workers[0].GetWorkAsync(1, Worker.Failed(taskId, "decoder crashed again"));
        Assert.That(repeat["action"]!.GetValue<string>(), Is.EqualTo("wait"));
        agent.Dispose();
    }

    [Test]
    public async Task Cancel_QueuedAtOnce_LeasedTellsItsInstance_FinishedIsAConflict()
    {
        var (engineId, agent, workers) = await RunningEngineAsync();
        var queued = (await _admin.SubmitAsync(engineId, priority: -1)).Id();
        var leased = (await _admin.SubmitAsync(engineId, priority: 5)).Id();
        Assert.That(Worker.TaskIds(await workers[0].GetWorkAsync()), Is.EqualTo(new[] { leased }));

        var cancelQueued = await _admin.DeleteAsync($"/task/{queued}");
        Assert.That(cancelQueued.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await cancelQueued.ReadJsonAsync())["state"]!.GetValue<string>(), Is.EqualTo("cancelled"));
        Assert.That((await _admin.DeleteAsync($"/task/{queued}")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "cancelling again changes nothing");

        Assert.That((await _admin.DeleteAsync($"/task/{leased}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var beat = await workers[0].HeartbeatAsync(busy: true);
        Assert.That(beat["cancelledTaskIds"]!.AsArray().Select(i => i!.GetValue<string>()), Is.EqualTo(new[] { leased.ToString() }));
        var refused = await workers[0].GetWorkRawAsync(1, Worker.Succeeded(leased));
        var error = await refused.AssertErrorAsync(HttpStatusCode.Conflict, "outcome_refused");
        Assert.That(error["ErrorDetail"]!["refused"]![0]!["reason"]!.GetValue<string>(), Is.EqualTo("task_cancelled"));

        var answer = await workers[0].GetWorkAsync();
        Assert.That(answer["action"]!.GetValue<string>(), Is.EqualTo("wait"), "the cancelled queued task is never handed out");

        var done = (await _admin.SubmitAsync(engineId)).Id();
        await workers[0].GetWorkAsync();
        await workers[0].GetWorkAsync(0, Worker.Succeeded(done));
        await (await _admin.DeleteAsync($"/task/{done}")).AssertErrorAsync(HttpStatusCode.Conflict, "task_state_conflict");
        await (await _admin.DeleteAsync($"/task/{Guid.NewGuid()}")).AssertErrorAsync(HttpStatusCode.NotFound, "task_not_found");
        agent.Dispose();
    }

    [Test]
    public async Task IdempotencyKey_RepeatAnswersTheSameTask_ADifferentTaskIsAConflict()
    {
        var engineId = await _admin.CreateEngineAsync("idem", 0);
        var first = await _admin.SubmitAsync(engineId, new { uri = "s3://b/a.wav" }, idempotencyKey: "job-17/chunk-4");
        var repeat = await _admin.SubmitAsync(engineId, new { uri = "s3://b/a.wav" }, idempotencyKey: "job-17/chunk-4", expected: HttpStatusCode.OK);
        Assert.That(repeat.Id(), Is.EqualTo(first.Id()));

        var response = await _admin.PostAsJsonAsync("/task", new { engineId, payload = new { uri = "s3://b/other.wav" }, idempotencyKey = "job-17/chunk-4" });
        await response.AssertErrorAsync(HttpStatusCode.Conflict, "idempotency_key_reused");
        var page = await (await _admin.GetAsync($"/task?engineId={engineId}")).ReadJsonAsync();
        Assert.That(page["items"]!.AsArray(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task IdempotencyKey_ConcurrentRepeats_CreateOneTask()
    {
        var engineId = await _admin.CreateEngineAsync("idem-race", 0);
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var client = _factory.Admin();
            var response = await client.PostAsJsonAsync("/task", new { engineId, payload = new { n = 1 }, idempotencyKey = "once" });
            return (response.StatusCode, (await response.ReadJsonAsync())["taskId"]!.GetValue<string>());
        }));

        Assert.That(answers.Count(a => a.StatusCode == HttpStatusCode.Created), Is.EqualTo(1));
        Assert.That(answers.Select(a => a.Item2).Distinct().Count(), Is.EqualTo(1));
    }

    [Test]
    public async Task Batch_StoresAllOrNothing_AndListPagesWithACursor()
    {
        var engineId = await _admin.CreateEngineAsync("batch", 0);
        var bad = await _admin.PostAsJsonAsync("/task/batch", new { tasks = new object?[] { new { engineId, payload = 1 }, new { engineId } } });
        var error = await bad.AssertErrorAsync(HttpStatusCode.BadRequest);
        Assert.That(error.ToJsonString(), Does.Contain("tasks[1].payload"));

        var batch = await _admin.PostAsJsonAsync("/task/batch", new { tasks = Enumerable.Range(0, 25).Select(i => new { engineId, payload = new { i } }) });
        Assert.That(batch.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That((await batch.ReadJsonAsync())["tasks"]!.AsArray(), Has.Count.EqualTo(25));

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await _admin.GetAsync($"/task?engineId={engineId}&limit=10" + (cursor is null ? string.Empty : "&cursor=" + cursor))).ReadJsonAsync();
            seen.AddRange(page["items"]!.AsArray().Select(t => t!["taskId"]!.GetValue<string>()));
            cursor = page["nextCursor"]?.GetValue<string>();
        }
        while (cursor is not null);

        Assert.That(seen, Has.Count.EqualTo(25));
        Assert.That(seen, Is.Unique);
        Assert.That(seen, Is.EqualTo(seen.OrderByDescending(Guid.Parse).Select(g => g).ToList()), "newest first");
        await (await _admin.GetAsync("/task?cursor=nope")).AssertErrorAsync(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task Drain_GivesNoNewWork_AndTerminatesOnceTheInstanceHoldsNone()
    {
        var (engineId, agent, workers) = await RunningEngineAsync();
        var held = (await _admin.SubmitAsync(engineId, priority: 1)).Id();
        await _admin.SubmitAsync(engineId);
        Assert.That(Worker.TaskIds(await workers[0].GetWorkAsync()), Is.EqualTo(new[] { held }));

        Assert.That((await _admin.PostAsJsonAsync($"/host/{agent.HostId}/drain", new { })).IsSuccessStatusCode, Is.True);
        var busy = await workers[0].GetWorkAsync();
        Assert.That(busy["action"]!.GetValue<string>(), Is.EqualTo("wait"), "no new work while it finishes what it holds");

        var end = await workers[0].GetWorkAsync(1, Worker.Succeeded(held));
        Assert.That(end["action"]!.GetValue<string>(), Is.EqualTo("terminate"));
        var instance = await (await _admin.GetAsync($"/engine_instance/{workers[0].InstanceId}")).ReadJsonAsync();
        Assert.That(instance["state"]!.GetValue<string>(), Is.EqualTo("stopping"));
        Assert.That((await workers[0].GetWorkAsync())["action"]!.GetValue<string>(), Is.EqualTo("terminate"), "and stays told");
        agent.Dispose();
    }

    [Test]
    public async Task QueueScaling_GrowsWithTheBacklog_ShrinksAfterTheCooldown_TakingIdleCopiesFirst()
    {
        var engineId = await _admin.CreateEngineAsync("scaled", scaling: new { mode = "queue", targetTasksPerInstance = 2, scaleDownAfterSeconds = 60 }, min: 0, max: 4);
        var agent = await Agent.RegisterAsync(_factory);
        agent.RunEngines = true;
        await agent.ReportAsync();
        Assert.That(agent.InstancesOf(engineId), Is.Empty, "no backlog, no copies");

        var tasks = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            tasks.Add((await _admin.SubmitAsync(engineId)).Id());
        }

        await SweepAsync();
        var engine = await (await _admin.GetAsync($"/engine/{engineId}")).ReadJsonAsync();
        Assert.That(engine["desiredInstances"]!.GetValue<int>(), Is.EqualTo(4), "7 tasks / 2 per copy, at most 4 (counted past the display limit of 5)");
        Assert.That((engine["backlog"]!["queued"]!.GetValue<int>(), engine["backlog"]!["queuedCapped"]!.GetValue<bool>()), Is.EqualTo((5, true)),
            "7 queued shown as at least 5, the count limit");
        Assert.That(engine["backlog"]!["leasedCapped"]!.GetValue<bool>(), Is.False);
        await agent.ReportAsync();
        await agent.ReportAsync();
        var workers = Worker.Of(_factory, agent, engineId);
        Assert.That(workers, Has.Count.EqualTo(4));

        // Every copy takes one task; all but the first finish theirs, and the queue drains.
        var holding = new Dictionary<Worker, Guid>();
        foreach (var worker in workers)
        {
            holding[worker] = Worker.TaskIds(await worker.GetWorkAsync()).Single();
        }

        for (var round = 0; round < 3; round++)
        {
            foreach (var worker in workers.Skip(1))
            {
                var answer = await worker.GetWorkAsync(1, holding.TryGetValue(worker, out var t) ? [Worker.Succeeded(t)] : []);
                holding.Remove(worker);
                if (answer["action"]!.GetValue<string>() == "process")
                {
                    holding[worker] = Worker.TaskIds(answer).Single();
                }
            }
        }

        Assert.That(holding.Keys, Is.EqualTo(new[] { workers[0] }), "only the first copy still holds work");
        await SweepAsync();
        Assert.That((await (await _admin.GetAsync($"/engine/{engineId}")).ReadJsonAsync())["desiredInstances"]!.GetValue<int>(), Is.EqualTo(4), "within the cooldown");

        _factory.Clock.Advance(TimeSpan.FromSeconds(30));
        await SweepAsync();
        _factory.Clock.Advance(TimeSpan.FromSeconds(31));
        await SweepAsync();
        Assert.That((await (await _admin.GetAsync($"/engine/{engineId}")).ReadJsonAsync())["desiredInstances"]!.GetValue<int>(), Is.EqualTo(1), "one leased task left");

        var answerWithStops = await agent.ReportAsync();
        var stopped = answerWithStops["terminate"]!.AsArray().Select(t => Guid.Parse(t!["engineInstanceId"]!.GetValue<string>())).ToList();
        Assert.That(stopped, Is.EquivalentTo(workers.Skip(1).Select(w => w.InstanceId)), "the idle copies go, the busy one stays");

        // The busy copy finishes; the backlog is empty; after the cooldown getwork tells it to terminate.
        var last = await workers[0].GetWorkAsync(1, Worker.Succeeded(holding[workers[0]]));
        Assert.That(last["action"]!.GetValue<string>(), Is.EqualTo("wait"));
        await SweepAsync();
        _factory.Clock.Advance(TimeSpan.FromSeconds(61));
        await SweepAsync();
        Assert.That((await (await _admin.GetAsync($"/engine/{engineId}")).ReadJsonAsync())["desiredInstances"]!.GetValue<int>(), Is.EqualTo(0));
        Assert.That((await workers[0].GetWorkAsync())["action"]!.GetValue<string>(), Is.EqualTo("terminate"));
        var remaining = await (await _admin.GetAsync($"/engine/{engineId}")).ReadJsonAsync();
        Assert.That(remaining["activeInstances"]!.GetValue<int>(), Is.EqualTo(0));
        foreach (var id in tasks)
        {
            Assert.That((await _admin.TaskAsync(id))["state"]!.GetValue<string>(), Is.EqualTo("succeeded"));
        }

        agent.Dispose();
    }
}
