using System.Net;
using System.Net.Http.Json;
using Controller.Api.Tests.Infrastructure;
using Controller.Domain.EngineInstances;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Controller.Api.Tests.Scheduling;

/// <summary>End-to-end scheduling through HTTP, each scenario on a controller of its own.</summary>
public sealed class SchedulingScenarioTests
{
    private ControllerFactory _factory = null!;
    private HttpClient _admin = null!;

    [SetUp]
    public void SetUp()
    {
        _factory = new ControllerFactory();
        _admin = _factory.Admin();
    }

    [TearDown]
    public void TearDown()
    {
        _admin.Dispose();
        _factory.Dispose();
    }

    private async Task<Guid> CreateEngineAsync(string name, int desired, int cpu = 2000, int memory = 4096, int gpus = 0, int priority = 50, object? hostLabels = null)
    {
        var response = await _admin.PostAsJsonAsync("/engine", new
        {
            name,
            image = $"registry/{name}:1",
            resources = new { cpuMillicores = cpu, memoryMiB = memory, gpuCount = gpus },
            priority,
            minInstances = 0,
            maxInstances = 50,
            desiredInstances = desired,
            hostLabels,
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return Guid.Parse((await response.ReadJsonAsync())["engineId"]!.GetValue<string>());
    }

    private Task<int> ActiveCountAsync(Guid engineId) =>
        _factory.WithDbAsync(db => db.EngineInstances.CountAsync(i => i.EngineId == engineId &&
            (i.State == EngineInstanceState.Pending || i.State == EngineInstanceState.Starting || i.State == EngineInstanceState.Running)));

    [Test]
    public async Task FourCopies_TwoHosts_LaunchesExactlyFourSpreadAndNothingMoreOnceRunning()
    {
        var engineId = await CreateEngineAsync("ocr", desired: 4);
        using var a = await Agent.RegisterAsync(_factory);
        using var b = await Agent.RegisterAsync(_factory);

        var first = await a.ReportAsync();
        var second = await b.ReportAsync();

        Assert.That(first["launch"]!.AsArray(), Has.Count.EqualTo(2));
        Assert.That(second["launch"]!.AsArray(), Has.Count.EqualTo(2));
        var launch = first["launch"]![0]!;
        Assert.Multiple(() =>
        {
            Assert.That(launch["image"]!.GetValue<string>(), Is.EqualTo("registry/ocr:1"));
            Assert.That(launch["resources"]!["cpuMillicores"]!.GetValue<int>(), Is.EqualTo(2000));
            Assert.That(launch["environment"]!["ENGINE_INSTANCE_TOKEN"]!.GetValue<string>(), Does.StartWith("ctl_"));
            Assert.That(launch["environment"]!["CONTROLLER_URL"]!.GetValue<string>(), Is.EqualTo("http://controller.test:5080"));
        });

        for (var round = 0; round < 3; round++)
        {
            var ra = await a.ReportAsync();
            var rb = await b.ReportAsync();
            Assert.That(ra["launch"]!.AsArray().Count + rb["launch"]!.AsArray().Count, Is.Zero);
        }

        Assert.That(await ActiveCountAsync(engineId), Is.EqualTo(4));
        var engine = await (await _admin.GetAsync($"/engine/{engineId}")).ReadJsonAsync();
        Assert.That(engine["activeInstances"]!.GetValue<int>(), Is.EqualTo(4));
    }

    [Test]
    public async Task LostResponse_LaunchIsRepeatedWithSameIdAndToken()
    {
        await CreateEngineAsync("ocr", desired: 1);
        using var a = await Agent.RegisterAsync(_factory);

        var lost = await a.ReportAsync(carryOut: false);
        var again = await a.ReportAsync(carryOut: false);

        Assert.That(again["launch"]!.ToJsonString(), Is.EqualTo(lost["launch"]!.ToJsonString()));
        Assert.That(again["launch"]!.AsArray(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task InstanceRegistersOnceHeartbeatsAndIsScaledDown()
    {
        var engineId = await CreateEngineAsync("ocr", desired: 4);
        using var a = await Agent.RegisterAsync(_factory);
        await a.ReportAsync();
        await a.ReportAsync();
        var (instanceId, container) = a.Containers.First();
        using var engine = _factory.ClientWith(container.Launch["environment"]!["ENGINE_INSTANCE_TOKEN"]!.GetValue<string>());

        var register = await engine.PostAsync($"/engine_instance/{instanceId}/register", null);
        var registerAgain = await engine.PostAsync($"/engine_instance/{instanceId}/register", null);
        var heartbeat = await (await engine.PostAsJsonAsync($"/engine_instance/{instanceId}/heartbeat", new { busy = true })).ReadJsonAsync();

        Assert.That(register.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        await registerAgain.AssertErrorAsync(HttpStatusCode.Conflict, "engine_instance_already_registered");
        Assert.That(heartbeat["acceptWork"]!.GetValue<bool>(), Is.True);
        Assert.That(heartbeat["stop"]!.GetValue<bool>(), Is.False);
        var other = a.Containers.Keys.First(k => k != instanceId);
        await (await engine.PostAsync($"/engine_instance/{other}/register", null)).AssertErrorAsync(HttpStatusCode.Forbidden);

        var put = await _admin.PutAsJsonAsync($"/engine/{engineId}", new
        {
            name = "ocr",
            image = "registry/ocr:1",
            resources = new { cpuMillicores = 2000, memoryMiB = 4096 },
            priority = 50,
            minInstances = 0,
            maxInstances = 50,
            desiredInstances = 1,
        });
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var answer = await a.ReportAsync();

        Assert.That(answer["terminate"]!.AsArray(), Has.Count.EqualTo(3));
        Assert.That(answer["terminate"]!.AsArray().Select(t => t!["reason"]!.GetValue<string>()), Is.All.EqualTo("scaled_down"));
        Assert.That(a.Containers.Keys, Does.Contain(instanceId), "the registered, running copy is kept");
        Assert.That(await ActiveCountAsync(engineId), Is.EqualTo(1));
        await a.ReportAsync();
        var stopped = await _factory.WithDbAsync(db => db.EngineInstances.CountAsync(i => i.EngineId == engineId && i.State == EngineInstanceState.Stopped));
        Assert.That(stopped, Is.EqualTo(3));
    }

    [Test]
    public async Task DrainHost_CopiesMoveToTheOtherHostAsCapacityAllows()
    {
        var engineId = await CreateEngineAsync("ocr", desired: 4);
        using var a = await Agent.RegisterAsync(_factory);
        a.RunEngines = true;
        await a.ReportAsync();
        await a.ReportAsync();
        using var b = await Agent.RegisterAsync(_factory, cpu: 6000, memory: 65536);
        b.RunEngines = true;
        await _admin.PostAsync($"/host/{a.HostId}/drain", null);

        for (var round = 0; round < 8; round++)
        {
            await a.ReportAsync();
            await b.ReportAsync();
            Assert.That(await ActiveCountAsync(engineId), Is.LessThanOrEqualTo(4 + a.InstancesOf(engineId).Count()));
            Assert.That(a.InstancesOf(engineId).Count() + b.InstancesOf(engineId).Count(), Is.GreaterThanOrEqualTo(4),
                "make before break: a copy stops only once its replacement runs");
        }

        Assert.That(b.InstancesOf(engineId).Count(), Is.EqualTo(3), "b holds 3 copies of 2000 millicores");
        Assert.That(a.InstancesOf(engineId).Count(), Is.EqualTo(1), "the fourth stays on a: no room elsewhere");
        Assert.That(a.LastAnswer!["mode"]!.GetValue<string>(), Is.EqualTo("drain"));
    }

    [Test]
    public async Task DrainWithDeadline_StopsEverythingThenHostIsDrained()
    {
        await CreateEngineAsync("ocr", desired: 2);
        using var a = await Agent.RegisterAsync(_factory);
        await a.ReportAsync();
        await _admin.PostAsJsonAsync($"/host/{a.HostId}/drain", new { deadlineSeconds = 30 });

        _factory.Clock.Advance(TimeSpan.FromSeconds(31));
        var answer = await a.ReportAsync();
        await a.ReportAsync();

        Assert.That(answer["terminate"]!.AsArray().Select(t => t!["reason"]!.GetValue<string>()), Is.EqualTo(new[] { "drain_deadline", "drain_deadline" }));
        var detail = await (await _admin.GetAsync($"/host/{a.HostId}/detail")).ReadJsonAsync();
        Assert.That(detail["state"]!.GetValue<string>(), Is.EqualTo("drained"));
    }

    [Test]
    public async Task DrainWithoutDeadline_NoRoomElsewhere_EndsAtTheDefaultDeadline_WhichDetailAndTheEventShow()
    {
        using var factory = new ControllerFactory(new Dictionary<string, string?> { ["Scheduling:DrainDeadlineSeconds"] = "40" });
        using var admin = factory.Admin();
        (await admin.PostAsJsonAsync("/engine", new
        {
            name = "ocr",
            image = "registry/ocr:1",
            resources = new { cpuMillicores = 2000, memoryMiB = 4096 },
            desiredInstances = 2,
        })).EnsureSuccessStatusCode();
        using var a = await Agent.RegisterAsync(factory);
        await a.ReportAsync();
        var drainedAt = factory.Clock.GetUtcNow();
        (await admin.PostAsync($"/host/{a.HostId}/drain", null)).EnsureSuccessStatusCode();

        var detail = await (await admin.GetAsync($"/host/{a.HostId}/detail")).ReadJsonAsync();
        Assert.That(detail["drainDeadline"]!.GetValue<DateTimeOffset>(), Is.EqualTo(drainedAt + TimeSpan.FromSeconds(40)).Within(TimeSpan.FromSeconds(1)));
        var events = await (await admin.GetAsync($"/event?after=0&hostId={a.HostId}&type=host.draining")).ReadJsonAsync();
        Assert.That(events["items"]![0]!["message"]!.GetValue<string>(), Does.Contain("stopped at the latest at"));

        // No other host: the copies stay while the deadline runs (make before break), then go.
        factory.Clock.Advance(TimeSpan.FromSeconds(20));
        Assert.That((await a.ReportAsync())["terminate"]!.AsArray(), Is.Empty, "before the deadline nothing stops without a replacement");
        (await admin.PostAsync($"/host/{a.HostId}/drain", null)).EnsureSuccessStatusCode(); // draining again does not push the deadline back
        factory.Clock.Advance(TimeSpan.FromSeconds(21));
        var answer = await a.ReportAsync();
        await a.ReportAsync();

        Assert.That(answer["terminate"]!.AsArray().Select(t => t!["reason"]!.GetValue<string>()), Is.EqualTo(new[] { "drain_deadline", "drain_deadline" }));
        detail = await (await admin.GetAsync($"/host/{a.HostId}/detail")).ReadJsonAsync();
        Assert.That(detail["state"]!.GetValue<string>(), Is.EqualTo("drained"));
    }

    [Test]
    public async Task DeleteEngine_InstancesStoppedThenEngineGone()
    {
        var engineId = await CreateEngineAsync("ocr", desired: 2);
        using var a = await Agent.RegisterAsync(_factory);
        await a.ReportAsync();

        var delete = await _admin.DeleteAsync($"/engine/{engineId}");
        var answer = await a.ReportAsync();
        await a.ReportAsync();
        await _factory.Services.GetRequiredService<Controller.Infrastructure.BackgroundServices.SweepService>().TickAsync(CancellationToken.None);

        Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That(answer["terminate"]!.AsArray().Select(t => t!["reason"]!.GetValue<string>()), Is.EqualTo(new[] { "engine_deleted", "engine_deleted" }));
        await (await _admin.GetAsync($"/engine/{engineId}")).AssertErrorAsync(HttpStatusCode.NotFound, "engine_not_found");
    }

    [Test]
    public async Task TerminateHost_TerminatesInstancesThenTellsHostToShutDown()
    {
        await CreateEngineAsync("ocr", desired: 2);
        using var a = await Agent.RegisterAsync(_factory);
        await a.ReportAsync();

        await _admin.PostAsync($"/host/{a.HostId}/terminate", null);
        var first = await a.ReportAsync();
        var last = await a.ReportAsync();

        Assert.That(first["mode"]!.GetValue<string>(), Is.EqualTo("drain"));
        Assert.That(first["terminate"]!.AsArray(), Has.Count.EqualTo(2));
        Assert.That(last["mode"]!.GetValue<string>(), Is.EqualTo("terminate"));
        var detail = await (await _admin.GetAsync($"/host/{a.HostId}/detail")).ReadJsonAsync();
        Assert.That(detail["state"]!.GetValue<string>(), Is.EqualTo("terminated"));
    }

    [Test]
    public async Task GpuEngine_GoesOnlyToHostWithFreeGpuWithItsIndex()
    {
        await CreateEngineAsync("vision", desired: 1, gpus: 1);
        using var cpuOnly = await Agent.RegisterAsync(_factory);
        using var gpuHost = await Agent.RegisterAsync(_factory, gpus: 2);

        var onCpu = await cpuOnly.ReportAsync();
        var onGpu = await gpuHost.ReportAsync();

        Assert.That(onCpu["launch"]!.AsArray(), Is.Empty);
        Assert.That(onGpu["launch"]!.AsArray(), Has.Count.EqualTo(1));
        Assert.That(onGpu["launch"]![0]!["gpuIndexes"]!.AsArray().Select(g => g!.GetValue<int>()), Is.EqualTo(new[] { 0 }));
    }

    [Test]
    public async Task CrashedContainer_FailsAndIsReplaced_UnknownContainerIsTerminated()
    {
        var engineId = await CreateEngineAsync("ocr", desired: 1);
        using var a = await Agent.RegisterAsync(_factory);
        await a.ReportAsync();
        var crashed = a.Containers.Keys.Single();
        a.Crash(crashed);
        var stranger = Guid.NewGuid();
        a.Containers[stranger] = ("c-stranger", "running", a.Containers[crashed].Launch);

        var answer = await a.ReportAsync(carryOut: false);

        var reasons = answer["terminate"]!.AsArray().ToDictionary(t => t!["engineInstanceId"]!.GetValue<string>(), t => t!["reason"]!.GetValue<string>());
        Assert.That(reasons[stranger.ToString()], Is.EqualTo("unknown_instance"));
        Assert.That(reasons[crashed.ToString()], Is.EqualTo("instance_ended"));
        var failed = await _factory.WithDbAsync(db => db.EngineInstances.SingleAsync(i => i.Id == crashed));
        Assert.That(failed.State, Is.EqualTo(EngineInstanceState.Failed));
        var engine = await (await _admin.GetAsync($"/engine/{engineId}")).ReadJsonAsync();
        Assert.That(engine["consecutiveFailures"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(engine["backoffUntil"], Is.Not.Null);

        _factory.Clock.Advance(TimeSpan.FromSeconds(11));
        var later = await a.ReportAsync();
        Assert.That(later["launch"]!.AsArray(), Has.Count.EqualTo(1), "replaced after the back-off");
    }

    [Test]
    public async Task ManyHostsReportAtOnce_ExactlyTheGapIsLaunched_NeverMore()
    {
        var engineId = await CreateEngineAsync("ocr", desired: 10, cpu: 500, memory: 512);
        var agents = new List<Agent>();
        for (var i = 0; i < 50; i++)
        {
            agents.Add(await Agent.RegisterAsync(_factory));
        }

        // Every wave at once: never more than the gap. Reports that find placement busy may be told to wait (deferred
        // placement), so the gap may take a few waves to fill; it is filled exactly.
        for (var wave = 0; wave < 10 && await ActiveCountAsync(engineId) < 10; wave++)
        {
            var answers = await Task.WhenAll(agents.Select(a => a.ReportAsync()));
            Assert.That(answers.Sum(a => a["launch"]!.AsArray().Count), Is.LessThanOrEqualTo(10));
            Assert.That(await ActiveCountAsync(engineId), Is.LessThanOrEqualTo(10));
        }

        Assert.That(await ActiveCountAsync(engineId), Is.EqualTo(10));
        var engine = await (await _admin.GetAsync($"/engine/{engineId}")).ReadJsonAsync();
        Assert.That(engine["activeInstances"]!.GetValue<int>(), Is.EqualTo(10));
        foreach (var agent in agents)
        {
            agent.Dispose();
        }
    }

    [Test]
    public async Task CreateEngine_Invalid_Returns400AndDuplicateName409()
    {
        await CreateEngineAsync("ocr", desired: 1);

        var invalid = await _admin.PostAsJsonAsync("/engine", new { name = "x", image = "", resources = new { cpuMillicores = -1, memoryMiB = 1 }, minInstances = 5, maxInstances = 2, desiredInstances = 3 });
        var duplicate = await _admin.PostAsJsonAsync("/engine", new { name = "ocr", image = "i", resources = new { cpuMillicores = 1, memoryMiB = 1 }, desiredInstances = 1, maxInstances = 1 });

        var body = await invalid.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.That(body["ErrorDetail"]!["errors"]!.AsObject().Select(e => e.Key), Is.SupersetOf(new[] { "image", "resources.cpuMillicores", "maxInstances" }));
        await duplicate.AssertErrorAsync(HttpStatusCode.Conflict, "engine_name_taken");
        Assert.That(await _factory.WithDbAsync(db => db.Engines.CountAsync()), Is.EqualTo(1));
    }

    [Test]
    public async Task EngineInstanceList_FiltersAndAdminStopIsReplaced()
    {
        var engineId = await CreateEngineAsync("ocr", desired: 1);
        using var a = await Agent.RegisterAsync(_factory);
        await a.ReportAsync();
        var instanceId = a.Containers.Keys.Single();

        var list = await (await _admin.GetAsync($"/engine_instance?engineId={engineId}&state=pending")).ReadJsonAsync();
        var stop = await _admin.DeleteAsync($"/engine_instance/{instanceId}");
        var answer = await a.ReportAsync();

        Assert.That(list["total"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(stop.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That(answer["terminate"]!.AsArray().Single()!["reason"]!.GetValue<string>(), Is.EqualTo("stopped_by_admin"));
        Assert.That(answer["launch"]!.AsArray(), Has.Count.EqualTo(1), "a replacement is launched");
    }

    [Test]
    public async Task AnEngineThatCrashedOnEveryHostWithRoom_IsStillPlaced_NotStarvedByHostAvoidance()
    {
        using var factory = new ControllerFactory(new Dictionary<string, string?>
        {
            ["Scheduling:FailureBackoffSeconds"] = "1",
            ["Scheduling:MaxFailureBackoffSeconds"] = "2",
        });
        using var admin = factory.Admin();
        var engineId = await admin.CreateEngineAsync("crashy", desired: 1);
        using var a = await Agent.RegisterAsync(factory);
        using var b = await Agent.RegisterAsync(factory);

        // Copies crash at once wherever they start, until both hosts have seen three crashes (and avoid the engine).
        var crashes = new Dictionary<Guid, int> { [a.HostId] = 0, [b.HostId] = 0 };
        for (var round = 0; round < 60 && crashes.Values.Any(c => c < 3); round++)
        {
            foreach (var agent in new[] { a, b })
            {
                await agent.ReportAsync();
                foreach (var id in agent.InstancesOf(engineId).Where(id => agent.Containers[id].State != "exited").ToList())
                {
                    agent.Crash(id);
                    crashes[agent.HostId]++;
                }
            }

            factory.Clock.Advance(TimeSpan.FromSeconds(3));
        }

        Assert.That(crashes.Values, Has.All.GreaterThanOrEqualTo(3));
        foreach (var agent in new[] { a, b })
        {
            await agent.ReportAsync(); // the crashes are reported; the exited containers go
            agent.LoseAllContainers();
        }

        // Both hosts with room avoid it: it is placed on one of them anyway, within the back-off, not after the window.
        var launched = false;
        for (var round = 0; round < 5 && !launched; round++)
        {
            factory.Clock.Advance(TimeSpan.FromSeconds(3));
            launched = (await a.ReportAsync())["launch"]!.AsArray().Count + (await b.ReportAsync())["launch"]!.AsArray().Count > 0;
        }

        Assert.That(launched, Is.True, "an engine every host with room avoids is placed anyway");
    }
}
