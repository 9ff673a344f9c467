using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Controller.Api.Tests.Infrastructure;
using Controller.Domain.EngineInstances;
using Controller.Infrastructure.BackgroundServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Controller.Api.Tests.Scheduling;

/// <summary>
/// Rolling updates through HTTP with simulated agents and the controller's clock moved by hand: a new image replaces
/// every copy within the surge and unavailability bounds at every step; a new image that crashes on start pauses the
/// rollout and, with <c>autoRevert</c>, goes back to the old revision without the old copies ever going below desired;
/// revisions are listed and an admin rolls back; changes that do not touch what copies run start no rollout.
/// </summary>
public sealed class RollingUpdateScenarioTests
{
    private const int HealthyAfterSeconds = 10;
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(5);

    private ControllerFactory _factory = null!;
    private HttpClient _admin = null!;
    private List<Agent> _agents = null!;

    [SetUp]
    public async Task SetUp()
    {
        _factory = new ControllerFactory();
        _admin = _factory.Admin();
        _agents = [await Agent.RegisterAsync(_factory), await Agent.RegisterAsync(_factory), await Agent.RegisterAsync(_factory)];
        _agents.ForEach(a => a.RunEngines = true);
    }

    [TearDown]
    public void TearDown()
    {
        _agents.ForEach(a => a.Dispose());
        _admin.Dispose();
        _factory.Dispose();
    }

    private async Task<Guid> CreateEngineAsync(int desired, object update, object? hostLabels = null)
    {
        var response = await _admin.PostAsJsonAsync("/engine", new
        {
            name = "asr",
            image = "registry/asr:1",
            resources = new { cpuMillicores = 1000, memoryMiB = 1024, gpuCount = 0 },
            priority = 0,
            minInstances = 0,
            maxInstances = 20,
            desiredInstances = desired,
            update,
            hostLabels,
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var engine = await response.ReadJsonAsync();
        Assert.That(engine["revision"]!.GetValue<int>(), Is.EqualTo(1));
        return Guid.Parse(engine["engineId"]!.GetValue<string>());
    }

    private async Task<JsonObject> PatchAsync(Guid engineId, object patch)
    {
        var response = await _admin.PatchAsJsonAsync($"/engine/{engineId}", patch);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await response.ReadJsonAsync();
    }

    private Task<JsonObject> GetEngineAsync(Guid engineId) => _admin.GetFromJsonAsync<JsonObject>($"/engine/{engineId}")!;

    /// <summary>The clock moves a step, every agent reports (engines heartbeat first; all at once when <paramref name="concurrently"/>), and the sweep runs.</summary>
    private async Task StepAsync(bool concurrently = false)
    {
        _factory.Clock.Advance(Step);
        if (concurrently)
        {
            await Task.WhenAll(_agents.Select(a => a.ReportAsync()));
        }
        else
        {
            foreach (var agent in _agents)
            {
                await agent.ReportAsync();
            }
        }

        await _factory.Services.GetRequiredService<SweepService>().TickAsync(CancellationToken.None);
    }

    /// <summary>Per image: copies up (pending, starting, running), and copies that have run for the healthy time.</summary>
    private async Task<(Dictionary<string, int> Up, Dictionary<string, int> Healthy)> CopiesAsync(Guid engineId)
    {
        var healthySince = _factory.Clock.GetUtcNow() - TimeSpan.FromSeconds(HealthyAfterSeconds);
        var copies = await _factory.WithDbAsync(db => db.EngineInstances.AsNoTracking()
            .Where(i => i.EngineId == engineId && (i.State == EngineInstanceState.Pending || i.State == EngineInstanceState.Starting || i.State == EngineInstanceState.Running))
            .ToListAsync());
        return (copies.CountBy(c => c.Image).ToDictionary(),
            copies.Where(c => c.State == EngineInstanceState.Running && c.RunningSince <= healthySince).CountBy(c => c.Image).ToDictionary());
    }

    private async Task<List<string>> EventTypesAsync(Guid engineId)
    {
        var feed = await (await _admin.GetAsync($"/event?engineId={engineId}&limit=500")).ReadJsonAsync();
        return [.. feed["items"]!.AsArray().Select(e => e!["type"]!.GetValue<string>())];
    }

    private async Task RunHealthyAsync(Guid engineId, int desired)
    {
        for (var i = 0; i < 10 && (await CopiesAsync(engineId)).Healthy.Values.Sum() < desired; i++)
        {
            await StepAsync();
        }

        Assert.That((await CopiesAsync(engineId)).Healthy.Values.Sum(), Is.EqualTo(desired), "the first revision runs healthy");
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task ANewImage_ReplacesSixCopies_NeverBelowSixHealthyNorAboveSeven_AndEndsWithSixOfTheNewRevision(bool concurrently)
    {
        var engineId = await CreateEngineAsync(6, new { maxSurge = "1", maxUnavailable = "0", healthyAfterSeconds = HealthyAfterSeconds });
        await RunHealthyAsync(engineId, 6);

        var changed = await PatchAsync(engineId, new { image = "registry/asr:2" });
        Assert.That(changed["revision"]!.GetValue<int>(), Is.EqualTo(2));
        var started = await GetEngineAsync(engineId);
        Assert.That(started["rollout"]!["state"]!.GetValue<string>(), Is.EqualTo("progressing"));
        Assert.That(started["rollout"]!["outdated"]!.GetValue<int>(), Is.EqualTo(6));

        var steps = 0;
        for (; steps < 80 && (await GetEngineAsync(engineId))["rollout"] is not null; steps++)
        {
            await StepAsync(concurrently);
            var (up, healthy) = await CopiesAsync(engineId);
            Assert.That(up.Values.Sum(), Is.LessThanOrEqualTo(7), $"step {steps}: never more than desired + maxSurge copies up");
            Assert.That(healthy.Values.Sum(), Is.GreaterThanOrEqualTo(6), $"step {steps}: never fewer than desired − maxUnavailable healthy copies");
        }

        Assert.That((await GetEngineAsync(engineId))["rollout"], Is.Null, $"the rollout completed (after {steps} steps)");
        var (finalUp, finalHealthy) = await CopiesAsync(engineId);
        Assert.That(finalUp, Is.EquivalentTo(new Dictionary<string, int> { ["registry/asr:2"] = 6 }));
        Assert.That(finalHealthy.GetValueOrDefault("registry/asr:2"), Is.EqualTo(6));
        var engine = await GetEngineAsync(engineId);
        Assert.That((engine["revision"]!.GetValue<int>(), engine["stableRevision"]!.GetValue<int>()), Is.EqualTo((2, 2)));
        var types = await EventTypesAsync(engineId);
        Assert.That(types, Does.Contain("engine.update_started").And.Contain("engine.update_progressed").And.Contain("engine.update_completed"));
        var replaced = await _factory.WithDbAsync(db => db.EngineInstances.CountAsync(i => i.EngineId == engineId && i.StopReason == "rolling_update"));
        Assert.That(replaced, Is.EqualTo(6), "each old copy was replaced once");
    }

    /// <summary>
    /// The old copy holds a task when the rollout replaces it: it is stopped (taken out of the count, so its replacement
    /// may run) but its container is not told to terminate; its engine finishes the task, is told <c>terminate</c> by
    /// getwork and ends. One that is still busy when its stop grace (30 s) has passed is told through its host.
    /// </summary>
    [TestCase(false)]
    [TestCase(true)]
    public async Task ABusyOutdatedCopy_FinishesItsTask_AndIsToldToTerminateThroughGetworkOnceIdle(bool staysBusy)
    {
        var engineId = await CreateEngineAsync(1, new { maxSurge = "1", maxUnavailable = "0", healthyAfterSeconds = HealthyAfterSeconds });
        await RunHealthyAsync(engineId, 1);
        var agent = _agents.Single(a => a.InstancesOf(engineId).Any());
        using var old = Worker.Of(_factory, agent, engineId).Single();
        var taskId = (await _admin.SubmitAsync(engineId)).Id();
        Assert.That(Worker.TaskIds(await old.GetWorkAsync()), Is.EqualTo(new[] { taskId }));

        await PatchAsync(engineId, new { image = "registry/asr:2" });
        for (var i = 0; i < 10 && await StateOfAsync(old.InstanceId) != EngineInstanceState.Stopping; i++)
        {
            await StepAsync();
        }

        Assert.That(await StateOfAsync(old.InstanceId), Is.EqualTo(EngineInstanceState.Stopping), "replaced once its replacement ran healthy");
        var stoppedAt = _factory.Clock.GetUtcNow();
        var heartbeat = await old.HeartbeatAsync(busy: true);
        Assert.That((heartbeat["stop"]!.GetValue<bool>(), heartbeat["acceptWork"]!.GetValue<bool>()), Is.EqualTo((true, false)), "its engine learns of the stop");

        if (!staysBusy)
        {
            await StepAsync();
            Assert.That(agent.Containers.ContainsKey(old.InstanceId), Is.True, "not told to terminate while it holds its task");
            var last = await old.GetWorkAsync(1, Worker.Succeeded(taskId));
            Assert.That((last["action"]!.GetValue<string>(), last["items"]!.AsArray().Count), Is.EqualTo(("terminate", 0)), "idle now: nothing more, terminate");
            var task = await _admin.GetFromJsonAsync<JsonObject>($"/task/{taskId}");
            Assert.That(task!["state"]!.GetValue<string>(), Is.EqualTo("succeeded"));
            await StepAsync();
            Assert.That(agent.Containers.ContainsKey(old.InstanceId), Is.True, "its engine ends it (not its host)");
            agent.Containers[old.InstanceId] = agent.Containers[old.InstanceId] with { State = "exited" };
            await StepAsync();
            Assert.That(agent.Containers.ContainsKey(old.InstanceId), Is.False, "the ended container is removed");
        }
        else
        {
            while (_factory.Clock.GetUtcNow() + Step - stoppedAt < TimeSpan.FromSeconds(30))
            {
                await StepAsync();
                Assert.That(agent.Containers.ContainsKey(old.InstanceId), Is.True, "busy and within its stop grace: its container is left alone");
            }

            await StepAsync();
            Assert.That(agent.Containers.ContainsKey(old.InstanceId), Is.False, "its stop grace has passed: its host is told");
        }

        for (var i = 0; i < 5; i++)
        {
            await StepAsync();
        }

        Assert.That(await StateOfAsync(old.InstanceId), Is.EqualTo(EngineInstanceState.Stopped));
        Assert.That((await CopiesAsync(engineId)).Up, Is.EquivalentTo(new Dictionary<string, int> { ["registry/asr:2"] = 1 }));
        Assert.That((await GetEngineAsync(engineId))["rollout"], Is.Null, "the rollout completed");
    }

    private Task<EngineInstanceState> StateOfAsync(Guid instanceId) =>
        _factory.WithDbAsync(db => db.EngineInstances.AsNoTracking().Where(i => i.Id == instanceId).Select(i => i.State).SingleAsync());

    /// <summary>
    /// Labels that no longer match the hosts of running copies move them, make before break and one at a time (the surge
    /// of the default policy for 2 copies): a replacement starts on a matching host, then the displaced copy stops. Labels
    /// that still match move nothing. Neither makes a revision.
    /// </summary>
    [Test]
    public async Task LabelsThatNoLongerMatch_MoveTheCopies_MakeBeforeBreak_AndLabelsThatStillMatchMoveNothing()
    {
        var zoneA = new[] { await Agent.RegisterAsync(_factory, labels: new { zone = "c" }), await Agent.RegisterAsync(_factory, labels: new { zone = "c" }) };
        var zoneB = new[] { await Agent.RegisterAsync(_factory, labels: new { zone = "d", disk = "ssd" }), await Agent.RegisterAsync(_factory, labels: new { zone = "d", disk = "ssd" }) };
        foreach (var agent in zoneA.Concat(zoneB))
        {
            agent.RunEngines = true;
            _agents.Add(agent);
        }

        var engineId = await CreateEngineAsync(2, new { healthyAfterSeconds = 0 }, new { zone = "c" });
        await RunHealthyAsync(engineId, 2);
        Assert.That(zoneA.Sum(a => a.InstancesOf(engineId).Count()), Is.EqualTo(2));

        var moved = await PatchAsync(engineId, new { hostLabels = new { zone = "d" } });
        Assert.That(moved["revision"]!.GetValue<int>(), Is.EqualTo(1), "labels are not what a copy runs");
        var steps = 0;
        for (; steps < 30 && zoneB.Sum(a => a.InstancesOf(engineId).Count()) < 2 | zoneA.Any(a => a.InstancesOf(engineId).Any()); steps++)
        {
            await StepAsync();
            var running = await _factory.WithDbAsync(db => db.EngineInstances.CountAsync(i => i.EngineId == engineId && i.State == EngineInstanceState.Running));
            Assert.That(running, Is.GreaterThanOrEqualTo(2), $"step {steps}: make before break");
            Assert.That((await CopiesAsync(engineId)).Up.Values.Sum(), Is.LessThanOrEqualTo(3), $"step {steps}: one copy moves at a time");
        }

        Assert.That((zoneA.Sum(a => a.InstancesOf(engineId).Count()), zoneB.Sum(a => a.InstancesOf(engineId).Count())), Is.EqualTo((0, 2)), $"moved to zone d (after {steps} steps)");
        Assert.That(await EventTypesAsync(engineId), Does.Contain("instance.displaced"));
        var stopped = await _factory.WithDbAsync(db => db.EngineInstances.Where(i => i.EngineId == engineId && (i.State == EngineInstanceState.Stopping || i.State == EngineInstanceState.Stopped)).Select(i => i.StopReason).ToListAsync());
        Assert.That(stopped, Is.EqualTo(new[] { "replaced", "replaced" }));

        var before = zoneB.SelectMany(a => a.InstancesOf(engineId)).ToHashSet();
        await PatchAsync(engineId, new { hostLabels = new { disk = "ssd" } });
        for (var i = 0; i < 5; i++)
        {
            await StepAsync();
        }

        Assert.That(zoneB.SelectMany(a => a.InstancesOf(engineId)), Is.EquivalentTo(before), "labels that still match move nothing");
        Assert.That((await CopiesAsync(engineId)).Up.Values.Sum(), Is.EqualTo(2));
    }

    [Test]
    public async Task AnAdminPausesARollout_NoHealthyOldCopyStops_UntilResumed_ThenItCompletes()
    {
        var engineId = await CreateEngineAsync(4, new { maxSurge = "1", maxUnavailable = "0", healthyAfterSeconds = HealthyAfterSeconds });
        await RunHealthyAsync(engineId, 4);
        var none = await _admin.PostAsync($"/engine/{engineId}/rollout/pause", null);
        Assert.That((none.StatusCode, (await none.ReadJsonAsync())["ErrorId"]!.GetValue<string>()), Is.EqualTo((HttpStatusCode.Conflict, "engine_rollout_none")));

        await PatchAsync(engineId, new { image = "registry/asr:2" });
        var paused = await _admin.PostAsync($"/engine/{engineId}/rollout/pause", null);
        Assert.That(paused.StatusCode, Is.EqualTo(HttpStatusCode.OK), await paused.Content.ReadAsStringAsync());
        Assert.That((await paused.ReadJsonAsync())["revision"]!.GetValue<int>(), Is.EqualTo(2), "the engine as it is now");
        for (var i = 0; i < 8; i++)
        {
            await StepAsync();
        }

        var (up, healthy) = await CopiesAsync(engineId);
        Assert.That((healthy.GetValueOrDefault("registry/asr:1"), up.GetValueOrDefault("registry/asr:2")), Is.EqualTo((4, 1)),
            "the old copies keep running; one new copy started within the surge");
        var rollout = (await GetEngineAsync(engineId))["rollout"]!;
        Assert.That((rollout["state"]!.GetValue<string>(), rollout["pausedReason"]!.GetValue<string>()), Is.EqualTo(("paused", "admin")));

        var resumed = await _admin.PostAsync($"/engine/{engineId}/rollout/resume", null);
        Assert.That(resumed.StatusCode, Is.EqualTo(HttpStatusCode.OK), await resumed.Content.ReadAsStringAsync());
        var again = await _admin.PostAsync($"/engine/{engineId}/rollout/resume", null);
        Assert.That((again.StatusCode, (await again.ReadJsonAsync())["ErrorId"]!.GetValue<string>()), Is.EqualTo((HttpStatusCode.Conflict, "engine_rollout_not_paused")));
        for (var i = 0; i < 40 && (await GetEngineAsync(engineId))["rollout"] is not null; i++)
        {
            await StepAsync();
        }

        Assert.That((await CopiesAsync(engineId)).Up, Is.EquivalentTo(new Dictionary<string, int> { ["registry/asr:2"] = 4 }));
        Assert.That(await EventTypesAsync(engineId), Does.Contain("engine.update_paused").And.Contain("engine.update_resumed").And.Contain("engine.update_completed"));
        var missing = await _admin.PostAsync($"/engine/{Guid.NewGuid()}/rollout/pause", null);
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task ANewImageThatCrashes_PausesTheRollout_AndAutoRevertGoesBack_WithTheOldCopiesNeverBelowDesired()
    {
        var engineId = await CreateEngineAsync(4, new { maxSurge = "1", maxUnavailable = "0", healthyAfterSeconds = HealthyAfterSeconds, autoRevert = true });
        await RunHealthyAsync(engineId, 4);
        _agents.ForEach(a => a.CrashesOnStart = launch => launch["image"]!.GetValue<string>() == "registry/asr:2");

        await PatchAsync(engineId, new { image = "registry/asr:2" });
        var steps = 0;
        for (; steps < 60 && (await GetEngineAsync(engineId))["revision"]!.GetValue<int>() == 2; steps++)
        {
            await StepAsync();
            var (up, healthy) = await CopiesAsync(engineId);
            Assert.That(healthy.GetValueOrDefault("registry/asr:1"), Is.EqualTo(4), $"step {steps}: the old copies never go below desired");
            Assert.That(up.Values.Sum(), Is.LessThanOrEqualTo(5), $"step {steps}: never more than desired + maxSurge");
        }

        var engine = await GetEngineAsync(engineId);
        Assert.That((engine["revision"]!.GetValue<int>(), engine["image"]!.GetValue<string>()), Is.EqualTo((1, "registry/asr:1")), "back to the old revision");
        var types = await EventTypesAsync(engineId);
        Assert.That(types, Does.Contain("engine.update_paused").And.Contain("engine.update_reverted"));

        // The copy of revision 2 still up (starting or crashed) is outdated now: replaced, the old copies untouched.
        for (var i = 0; i < 10 && (await GetEngineAsync(engineId))["rollout"] is not null; i++)
        {
            await StepAsync();
            Assert.That((await CopiesAsync(engineId)).Healthy.GetValueOrDefault("registry/asr:1"), Is.EqualTo(4));
        }

        Assert.That((await GetEngineAsync(engineId))["rollout"], Is.Null, "its copies are all current again");

        var (finalUp, finalHealthy) = await CopiesAsync(engineId);
        Assert.That((finalUp.GetValueOrDefault("registry/asr:1"), finalHealthy.GetValueOrDefault("registry/asr:1"), finalUp.Values.Sum()), Is.EqualTo((4, 4, 4)));
    }

    [Test]
    public async Task RevisionsAreListed_AnAdminRollsBack_AndChangesThatDoNotTouchTheCopiesStartNoRollout()
    {
        var engineId = await CreateEngineAsync(2, new { maxSurge = "100%", healthyAfterSeconds = 0 });
        await RunHealthyAsync(engineId, 2);

        var scaled = await PatchAsync(engineId, new { desiredInstances = 3, priority = 5, stopGraceSeconds = 10 });
        Assert.That(scaled["revision"]!.GetValue<int>(), Is.EqualTo(1), "the count, priority and stop grace are not what a copy runs");
        Assert.That((await GetEngineAsync(engineId))["rollout"], Is.Null);

        await PatchAsync(engineId, new { environment = new { MODE = "fast" } });
        await PatchAsync(engineId, new { image = "registry/asr:3" });
        var revisions = (await _admin.GetFromJsonAsync<JsonObject>($"/engine/{engineId}/revisions"))!["items"]!.AsArray();
        Assert.That(revisions.Select(r => r!["revision"]!.GetValue<int>()), Is.EqualTo(new[] { 3, 2, 1 }));
        Assert.That(revisions[0]!["current"]!.GetValue<bool>() && revisions[0]!["image"]!.GetValue<string>() == "registry/asr:3", Is.True);
        Assert.That(revisions[1]!["environment"]!["MODE"]!.GetValue<string>(), Is.EqualTo("fast"));
        Assert.That(revisions[2]!["stable"]!.GetValue<bool>(), Is.True, "the revision that ran when the change came");

        for (var i = 0; i < 20 && (await GetEngineAsync(engineId))["rollout"] is not null; i++)
        {
            await StepAsync();
        }

        Assert.That((await CopiesAsync(engineId)).Up, Is.EquivalentTo(new Dictionary<string, int> { ["registry/asr:3"] = 3 }));

        var missing = await _admin.PostAsJsonAsync($"/engine/{engineId}/rollback", new { revision = 99 });
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await missing.ReadJsonAsync())["ErrorId"]!.GetValue<string>(), Is.EqualTo("engine_revision_not_found"));
        var current = await _admin.PostAsJsonAsync($"/engine/{engineId}/rollback", new { revision = 3 });
        Assert.That(current.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That((await current.ReadJsonAsync())["ErrorId"]!.GetValue<string>(), Is.EqualTo("engine_revision_current"));
        var bad = await _admin.PostAsJsonAsync($"/engine/{engineId}/rollback", new { revision = 0 });
        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));

        var rolledBack = await _admin.PostAsJsonAsync($"/engine/{engineId}/rollback", new { revision = 1 });
        Assert.That(rolledBack.StatusCode, Is.EqualTo(HttpStatusCode.OK), await rolledBack.Content.ReadAsStringAsync());
        var engine = await rolledBack.ReadJsonAsync();
        Assert.That((engine["revision"]!.GetValue<int>(), engine["image"]!.GetValue<string>()), Is.EqualTo((1, "registry/asr:1")));
        Assert.That(engine["environment"]!.AsObject(), Is.Empty, "the whole definition of revision 1 is back");

        for (var i = 0; i < 20 && (await GetEngineAsync(engineId))["rollout"] is not null; i++)
        {
            await StepAsync();
        }

        Assert.That((await CopiesAsync(engineId)).Up, Is.EquivalentTo(new Dictionary<string, int> { ["registry/asr:1"] = 3 }));
    }

    [TestCase("""{"maxSurge": "x"}""", "update.maxSurge")]
    [TestCase("""{"maxUnavailable": "150%"}""", "update.maxUnavailable")]
    [TestCase("""{"healthyAfterSeconds": -1}""", "update.healthyAfterSeconds")]
    [TestCase("""{"progressDeadlineSeconds": 1}""", "update.progressDeadlineSeconds")]
    [TestCase("""{"maxSurge": 1}""", "update.maxSurge")]
    [TestCase("""{"surge": "1"}""", "update.surge")]
    public async Task ABadUpdatePolicy_Is400NamingTheField_AndChangesNothing(string update, string field)
    {
        var engineId = await CreateEngineAsync(1, new { maxSurge = "2" });
        var body = $$"""{"update": {{update}}}""";
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/merge-patch+json");
        var response = await _admin.PatchAsync($"/engine/{engineId}", content);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), await response.Content.ReadAsStringAsync());
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain(field));
        Assert.That((await GetEngineAsync(engineId))["update"]!["maxSurge"]!.GetValue<string>(), Is.EqualTo("2"));
    }
}
