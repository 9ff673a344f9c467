using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Controller.Api.Tests.Infrastructure;
using Controller.Domain.EngineInstances;
using Controller.Domain.Hosts;
using Controller.Infrastructure.BackgroundServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Controller.Api.Tests.Scheduling;

/// <summary>
/// Every state is left when the other side goes silent, an answer is lost or a request is repeated: each scenario
/// goes through HTTP on a controller of its own with a fake clock.
/// </summary>
public sealed class LivenessTests
{
    private ControllerFactory _factory = null!;
    private HttpClient _admin = null!;

    private static ControllerFactory NewFactory(params (string Key, string Value)[] settings)
    {
        var all = new Dictionary<string, string?>
        {
            ["Scheduling:HostLostAfterSeconds"] = "30",
            ["Scheduling:StartupGraceSeconds"] = "0",
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        return new ControllerFactory(all);
    }

    [TearDown]
    public void TearDown()
    {
        _admin?.Dispose();
        _factory?.Dispose();
    }

    private void Start(params (string Key, string Value)[] settings)
    {
        _factory = NewFactory(settings);
        _admin = _factory.Admin();
    }

    private async Task<Guid> CreateEngineAsync(string name, int desired, int cpu = 2000, int memory = 4096, int gpus = 0)
    {
        var response = await _admin.PostAsJsonAsync("/engine", new
        {
            name,
            image = "registry/engine:1",
            resources = new { cpuMillicores = cpu, memoryMiB = memory, gpuCount = gpus },
            priority = 50,
            minInstances = 0,
            maxInstances = 1000,
            desiredInstances = desired,
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return Guid.Parse((await response.ReadJsonAsync())["engineId"]!.GetValue<string>());
    }

    private async Task<Agent> AgentAsync(string? machineId = null, int cpu = 16000, int memory = 65536, int gpus = 0, bool runEngines = true)
    {
        var (hostId, token) = await _factory.RegisterHostAsync(machineId, cpu, memory, gpus);
        return new Agent(_factory, hostId, token, cpu, memory, gpus) { RunEngines = runEngines };
    }

    private Task<HostState> HostStateAsync(Guid hostId) =>
        _factory.WithDbAsync(db => db.Hosts.AsNoTracking().Where(h => h.Id == hostId).Select(h => h.State).SingleAsync());

    private Task<EngineInstance> InstanceAsync(Guid instanceId) =>
        _factory.WithDbAsync(db => db.EngineInstances.AsNoTracking().SingleAsync(i => i.Id == instanceId));

    private Task<Domain.Engines.Engine> EngineAsync(Guid engineId) =>
        _factory.WithDbAsync(db => db.Engines.AsNoTracking().SingleAsync(e => e.Id == engineId));

    private Task<bool> SweepAsync() => _factory.Services.GetRequiredService<SweepService>().TickAsync(CancellationToken.None);

    private static IEnumerable<string> Reasons(JsonObject answer) => answer["terminate"]!.AsArray().Select(t => t!["reason"]!.GetValue<string>());

    [Test]
    public async Task TerminateSilentHost_SweepFinishesIt_CopiesReplacedAndMachineRegistersAgain()
    {
        Start();
        var engineId = await CreateEngineAsync("ocr", desired: 2);
        using var a = await AgentAsync(machineId: "machine-a");
        using var b = await AgentAsync();
        await a.ReportAsync();
        await b.ReportAsync();
        Assert.That(a.InstancesOf(engineId).Count() + b.InstancesOf(engineId).Count(), Is.EqualTo(2));

        // a dies; the admin terminates it.
        var terminate = await _admin.PostAsync($"/host/{a.HostId}/terminate", null);
        Assert.That(terminate.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        for (var t = 0; t < 8; t++)
        {
            _factory.Clock.Advance(TimeSpan.FromSeconds(5));
            await b.ReportAsync();
            await SweepAsync();
        }

        Assert.That(await HostStateAsync(a.HostId), Is.EqualTo(HostState.Terminated));
        Assert.That(b.InstancesOf(engineId).Count(), Is.EqualTo(2), "a's copy was replaced on b");
        Assert.That((await EngineAsync(engineId)).ActiveInstances, Is.EqualTo(2));
        Assert.That(await _factory.WithDbAsync(db => db.EngineInstances.CountAsync(i => i.HostId == a.HostId && i.State == EngineInstanceState.Lost)), Is.EqualTo(1));

        using var reimaged = _factory.ClientWith(await _factory.NewRegistrationTokenAsync());
        var again = await reimaged.PostAsJsonAsync("/host/register", ApiClient.HostBody("machine-a"));
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Created), "the machine id is free again");
    }

    [Test]
    public async Task TerminateLostHost_IsFinishedByTheNextSweep()
    {
        Start();
        using var a = await AgentAsync();
        var agents = new List<Agent>();
        for (var i = 0; i < 3; i++)
        {
            agents.Add(await AgentAsync());
        }

        for (var t = 0; t < 8; t++)
        {
            _factory.Clock.Advance(TimeSpan.FromSeconds(5));
            foreach (var agent in agents)
            {
                await agent.ReportAsync();
            }

            await SweepAsync();
        }

        Assert.That(await HostStateAsync(a.HostId), Is.EqualTo(HostState.Lost));
        await _admin.PostAsync($"/host/{a.HostId}/terminate", null);
        await SweepAsync();

        Assert.That(await HostStateAsync(a.HostId), Is.EqualTo(HostState.Terminated));
        agents.ForEach(x => x.Dispose());
    }

    [Test]
    public async Task TerminateWhileReporting_ModeTerminateRepeatedForALostAnswer_NeverTwoLiveHostsForOneMachine()
    {
        Start();
        var engineId = await CreateEngineAsync("ocr", desired: 1);
        using var a = await AgentAsync(machineId: "machine-t");
        await a.ReportAsync();
        await _admin.PostAsync($"/host/{a.HostId}/terminate", null);

        var stopping = await a.ReportAsync();
        Assert.That(stopping["mode"]!.GetValue<string>(), Is.EqualTo("drain"));
        Assert.That(Reasons(stopping), Is.EqualTo(new[] { "host_terminating" }));
        var last = await a.ReportAsync();
        Assert.That(last["mode"]!.GetValue<string>(), Is.EqualTo("terminate"));

        // The answer was lost: the agent repeats its report and is told again, nothing changes.
        var repeated = await a.ReportAsync();
        Assert.That(repeated["mode"]!.GetValue<string>(), Is.EqualTo("terminate"));
        Assert.That(repeated["launch"]!.AsArray(), Is.Empty);
        Assert.That(await _factory.WithDbAsync(db => db.Hosts.CountAsync(h => h.MachineId == "machine-t" && h.State != HostState.Terminated)), Is.Zero);
        Assert.That((await EngineAsync(engineId)).ActiveInstances, Is.Zero);
    }

    [Test]
    public async Task LongestAllowedNames_RegisterReportAndLaunchSucceed()
    {
        Start();
        var name = new string('n', Domain.Common.Limits.NameMaxLength);
        await CreateEngineAsync(name, desired: 1);
        using var registration = _factory.ClientWith(await _factory.NewRegistrationTokenAsync());
        var body = JsonSerializerNodes.ToNode(ApiClient.HostBody("machine-long"));
        body["hostname"] = new string('h', Domain.Common.Limits.HostnameMaxLength);
        var register = await registration.PostAsJsonAsync("/host/register", body);
        Assert.That(register.StatusCode, Is.EqualTo(HttpStatusCode.Created), await register.Content.ReadAsStringAsync());
        var registered = await register.ReadJsonAsync();
        using var agent = new Agent(_factory, Guid.Parse(registered["hostId"]!.GetValue<string>()), registered["token"]!.GetValue<string>()) { RunEngines = true };

        var answer = await agent.ReportAsync();
        await agent.ReportAsync();

        Assert.That(answer["launch"]!.AsArray(), Has.Count.EqualTo(1));
        var tokenNames = await _factory.WithDbAsync(db => db.Tokens.Select(t => t.Name).ToListAsync());
        Assert.That(tokenNames.Max(n => n.Length), Is.LessThanOrEqualTo(Domain.Common.Limits.NameMaxLength));
    }

    [Test]
    public async Task InstanceSecrets_NeverInStoredOrShownAnswers_NorTheirKeyInTheDatabase()
    {
        Start();
        await CreateEngineAsync("ocr", desired: 1);
        using var a = await AgentAsync(runEngines: false);
        var answer = await a.ReportAsync();
        var secret = answer["launch"]![0]!["environment"]!["ENGINE_INSTANCE_TOKEN"]!.GetValue<string>();

        var shown = await (await _admin.GetAsync($"/host/{a.HostId}/status")).Content.ReadAsStringAsync();
        var stored = await _factory.WithDbAsync(db => db.HostStatus.AsNoTracking().Where(s => s.HostId == a.HostId).Select(s => s.Answer).SingleAsync());
        var settings = await _factory.WithDbAsync(db => db.Settings.AsNoTracking().Select(s => s.Value).ToListAsync());

        Assert.That(shown, Does.Contain("ENGINE_INSTANCE_ID").And.Not.Contain(secret).And.Not.Contain("ENGINE_INSTANCE_TOKEN"));
        Assert.That(stored, Does.Not.Contain(secret));
        Assert.That(settings, Does.Not.Contain(ControllerFactory.InstanceTokenKey));
        Assert.That(await _factory.WithDbAsync(db => db.Settings.CountAsync(s => s.Name == "instance-token-key")), Is.Zero);
    }

    [Test]
    public async Task Drain_MakeBeforeBreak_CopyStopsOnlyOnceItsReplacementRuns()
    {
        Start();
        var engineId = await CreateEngineAsync("ocr", desired: 1);
        using var a = await AgentAsync();
        await a.ReportAsync();
        await a.ReportAsync();
        var original = a.InstancesOf(engineId).Single();
        Assert.That((await InstanceAsync(original)).State, Is.EqualTo(EngineInstanceState.Running));

        using var b = await AgentAsync(runEngines: false);
        await _admin.PostAsync($"/host/{a.HostId}/drain", null);
        for (var round = 0; round < 3; round++)
        {
            var answer = await a.ReportAsync();
            Assert.That(answer["terminate"]!.AsArray(), Is.Empty, "the copy keeps running while its replacement starts");
            await b.ReportAsync();
        }

        var replacement = b.InstancesOf(engineId).Single();
        Assert.That((await InstanceAsync(original)).Displaced, Is.True, "visible: the copy waits for its replacement");
        using (var engine = _factory.ClientWith(b.Containers[replacement].Launch["environment"]!["ENGINE_INSTANCE_TOKEN"]!.GetValue<string>()))
        {
            Assert.That((await engine.PostAsync($"/engine_instance/{replacement}/register", null)).StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }

        var stop = await a.ReportAsync();
        Assert.That(Reasons(stop), Is.EqualTo(new[] { "replaced" }));
        await a.ReportAsync();
        Assert.That(await HostStateAsync(a.HostId), Is.EqualTo(HostState.Drained));
        Assert.That((await EngineAsync(engineId)).ActiveInstances, Is.EqualTo(1));
    }

    [Test]
    public async Task Drain_NoRoomElsewhereAndNoDeadline_WaitsWithTheCopyRunning()
    {
        Start();
        var engineId = await CreateEngineAsync("ocr", desired: 1);
        using var a = await AgentAsync();
        await a.ReportAsync();
        await _admin.PostAsync($"/host/{a.HostId}/drain", null);

        for (var round = 0; round < 3; round++)
        {
            var answer = await a.ReportAsync();
            Assert.That(answer["terminate"]!.AsArray(), Is.Empty);
        }

        Assert.That(await HostStateAsync(a.HostId), Is.EqualTo(HostState.Draining));
        Assert.That(a.InstancesOf(engineId).Count(), Is.EqualTo(1));
    }

    [Test]
    public async Task MassSilence_HoldIsBounded_SilentHostsDeclaredLostAtALimitedRate()
    {
        Start(("Scheduling:MassSilenceMaxHoldSeconds", "60"), ("Scheduling:MassSilenceLostPerSweep", "1"));
        using var alive = await AgentAsync();
        using var silent1 = await AgentAsync();
        using var silent2 = await AgentAsync();

        for (var t = 0; t < 21; t++)
        {
            _factory.Clock.Advance(TimeSpan.FromSeconds(5));
            await alive.ReportAsync();
            await SweepAsync();
            if (t == 10)
            {
                // 55 s of silence: past the 30 s grace, within the 60 s hold.
                Assert.That(await HostStateAsync(silent1.HostId), Is.EqualTo(HostState.Active), "held: 2 of 3 silent at once");
            }
        }

        // 105 s of silence: past grace + hold, and one host per sweep.
        Assert.That(await HostStateAsync(silent1.HostId), Is.EqualTo(HostState.Lost));
        Assert.That(await HostStateAsync(silent2.HostId), Is.EqualTo(HostState.Lost));
        Assert.That(await HostStateAsync(alive.HostId), Is.EqualTo(HostState.Active));
    }

    [Test]
    public async Task MassSilence_PastTheHold_OneHostPerSweep()
    {
        // The background sweep must not tick on its own while the fake clock jumps.
        Start(("Scheduling:MassSilenceMaxHoldSeconds", "60"), ("Scheduling:MassSilenceLostPerSweep", "1"), ("Scheduling:SweepIntervalSeconds", "3600"));
        using var alive = await AgentAsync();
        using var silent1 = await AgentAsync();
        using var silent2 = await AgentAsync();
        await alive.ReportAsync();

        _factory.Clock.Advance(TimeSpan.FromSeconds(95));
        await alive.ReportAsync();
        await SweepAsync();
        var lostAfterOne = await _factory.WithDbAsync(db => db.Hosts.CountAsync(h => h.State == HostState.Lost));
        await SweepAsync();
        var lostAfterTwo = await _factory.WithDbAsync(db => db.Hosts.CountAsync(h => h.State == HostState.Lost));

        Assert.That(lostAfterOne, Is.EqualTo(1));
        Assert.That(lostAfterTwo, Is.EqualTo(2));
    }

    [Test]
    public async Task StopTimeout_ContainerNeverGoes_CountedGoneAndToldAgain()
    {
        Start(("Scheduling:StopTimeoutSeconds", "20"));
        var engineId = await CreateEngineAsync("ocr", desired: 1);
        using var a = await AgentAsync();
        await a.ReportAsync();
        var instanceId = a.InstancesOf(engineId).Single();
        a.CarryOutTerminates = false;

        Assert.That((await _admin.DeleteAsync($"/engine_instance/{instanceId}")).StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        await a.ReportAsync();
        Assert.That((await InstanceAsync(instanceId)).State, Is.EqualTo(EngineInstanceState.Stopping));

        _factory.Clock.Advance(TimeSpan.FromSeconds(21));
        var answer = await a.ReportAsync();

        Assert.That((await InstanceAsync(instanceId)).State, Is.EqualTo(EngineInstanceState.Stopped));
        Assert.That(answer["terminate"]!.AsArray().Select(t => t!["engineInstanceId"]!.GetValue<string>()), Does.Contain(instanceId.ToString()),
            "the container is told to terminate again");
        var again = await a.ReportAsync();
        Assert.That(Reasons(again), Does.Contain("instance_ended"));
    }

    [Test]
    public async Task StartTimeout_EngineNeverRegisters_FailsAndItsContainerIsRemoved()
    {
        Start(("Scheduling:StartTimeoutSeconds", "20"));
        var engineId = await CreateEngineAsync("ocr", desired: 1);
        using var a = await AgentAsync(runEngines: false);
        await a.ReportAsync();
        var instanceId = a.InstancesOf(engineId).Single();
        await a.ReportAsync();
        Assert.That((await InstanceAsync(instanceId)).State, Is.EqualTo(EngineInstanceState.Starting));

        _factory.Clock.Advance(TimeSpan.FromSeconds(21));
        var answer = await a.ReportAsync();

        var instance = await InstanceAsync(instanceId);
        Assert.That(instance.State, Is.EqualTo(EngineInstanceState.Failed));
        Assert.That(instance.StopReason, Is.EqualTo("start_timeout"));
        Assert.That(answer["terminate"]!.AsArray().Select(t => t!["engineInstanceId"]!.GetValue<string>()), Does.Contain(instanceId.ToString()));
    }

    [Test]
    public async Task AgentLosesEveryContainer_EngineBacksOffOneStepNotOnePerCopy()
    {
        Start();
        var engineId = await CreateEngineAsync("small", desired: 5, cpu: 500, memory: 256);
        using var a = await AgentAsync();
        await a.ReportAsync();
        await a.ReportAsync();
        Assert.That(a.InstancesOf(engineId).Count(), Is.EqualTo(5));

        a.LoseAllContainers();
        await a.ReportAsync();

        var engine = await EngineAsync(engineId);
        Assert.That(engine.ActiveInstances, Is.Zero);
        Assert.That(engine.ConsecutiveFailures, Is.EqualTo(1));
    }

    [Test]
    public async Task EngineKeepsFailingOnOneHost_ThatHostIsAvoidedWhileAnotherHasRoom()
    {
        Start(("Scheduling:HostAvoidAfterFailures", "2"), ("Scheduling:FailureBackoffSeconds", "1"), ("Scheduling:MaxFailureBackoffSeconds", "1"));
        var engineId = await CreateEngineAsync("flaky", desired: 1);
        using var bad = await AgentAsync();
        for (var crash = 0; crash < 2; crash++)
        {
            await bad.ReportAsync();
            bad.Crash(bad.InstancesOf(engineId).Single());
            await bad.ReportAsync();
            _factory.Clock.Advance(TimeSpan.FromSeconds(2));
        }

        using var good = await AgentAsync();
        await good.ReportAsync();
        var answer = await bad.ReportAsync();
        await good.ReportAsync();

        Assert.That(answer["launch"]!.AsArray(), Is.Empty, "the failing host is avoided");
        Assert.That(good.InstancesOf(engineId).Count(), Is.EqualTo(1));
    }

    [Test]
    public async Task ManyLaunchesDue_OneAnswerCarriesAtMostTheConfiguredNumber()
    {
        Start(("Scheduling:MaxLaunchesPerAnswer", "8"));
        await CreateEngineAsync("tiny", desired: 50, cpu: 100, memory: 64);
        using var a = await AgentAsync(runEngines: false);

        var first = await a.ReportAsync(carryOut: false);
        var repeated = await a.ReportAsync(carryOut: false);
        await a.ReportAsync();
        var next = await a.ReportAsync();

        Assert.That(first["launch"]!.AsArray(), Has.Count.EqualTo(8));
        Assert.That(repeated["launch"]!.AsArray(), Has.Count.EqualTo(8), "unreported launches use up the budget");
        Assert.That(next["launch"]!.AsArray(), Has.Count.EqualTo(8), "once reported, the next batch comes");
    }

    [Test]
    public async Task GpuOfStoppedInstanceWhoseContainerStillRuns_IsNotGivenAgain()
    {
        Start(("Scheduling:StopTimeoutSeconds", "20"));
        var engineId = await CreateEngineAsync("vision", desired: 1, gpus: 1);
        using var a = await AgentAsync(gpus: 1);
        await a.ReportAsync();
        var first = a.InstancesOf(engineId).Single();
        a.CarryOutTerminates = false;
        await _admin.DeleteAsync($"/engine_instance/{first}");
        await a.ReportAsync();
        _factory.Clock.Advance(TimeSpan.FromSeconds(21));
        await a.ReportAsync();
        Assert.That((await InstanceAsync(first)).State, Is.EqualTo(EngineInstanceState.Stopped));

        var whileHeld = await a.ReportAsync();
        Assert.That(whileHeld["launch"]!.AsArray(), Is.Empty, "GPU 0 is still held by the container");

        a.CarryOutTerminates = true;
        await a.ReportAsync();
        var afterwards = await a.ReportAsync();
        Assert.That(afterwards["launch"]!.AsArray().Single()!["gpuIndexes"]![0]!.GetValue<int>(), Is.Zero);
    }

    [Test]
    public async Task StatusRoundLosesEveryRace_409ButTheHostIsStillSeenAlive()
    {
        using var factory = new RacingControllerFactory(new Dictionary<string, string?>());
        var (hostId, token) = await factory.RegisterHostAsync();
        using var agent = factory.ClientWith(token);
        factory.Clock.Advance(TimeSpan.FromSeconds(25));
        factory.LoseEveryRace = true;

        var response = await agent.PostAsJsonAsync($"/host/{hostId}/updatestatus", ApiClient.Status());

        await response.AssertErrorAsync(HttpStatusCode.Conflict, "concurrent_update");
        await factory.Services.GetRequiredService<LastSeenFlushService>().FlushAsync(CancellationToken.None);
        var lastSeen = await factory.WithDbAsync(db => db.Hosts.AsNoTracking().Where(h => h.Id == hostId).Select(h => h.LastSeenAt).SingleAsync());
        Assert.That(lastSeen, Is.EqualTo(factory.Clock.GetUtcNow()).Within(TimeSpan.FromMilliseconds(1)));
    }

    [Test]
    public async Task EngineWithoutCpuOrMemory_Is400AndNothingIsCreated()
    {
        Start();
        var response = await _admin.PostAsJsonAsync("/engine", new
        {
            name = "nothing",
            image = "registry/x:1",
            resources = new { cpuMillicores = 0, memoryMiB = 0, gpuCount = 0 },
            desiredInstances = 1,
        });

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.That(await _factory.CountAsync<Domain.Engines.Engine>(), Is.Zero);
    }

    [Test]
    public async Task RevokeTwoAdminTokensAtOnce_OneIsRefusedAndOneAdminStillWorks()
    {
        Start();
        var created = await (await _admin.PostAsJsonAsync("/token", new { kind = "admin", name = "second" })).ReadJsonAsync();
        var second = created["tokenId"]!.GetValue<string>();
        var list = await (await _admin.GetAsync("/token?kind=admin")).ReadJsonAsync();
        var first = list["items"]!.AsArray().Select(t => t!["tokenId"]!.GetValue<string>()).Single(id => id != second);
        using var other = _factory.ClientWith(created["token"]!.GetValue<string>());

        var results = await Task.WhenAll(_admin.DeleteAsync($"/token/{first}"), other.DeleteAsync($"/token/{second}"));

        Assert.That(results.Select(r => r.StatusCode), Is.EquivalentTo(new[] { HttpStatusCode.NoContent, HttpStatusCode.Conflict }));
        var working = await _factory.WithDbAsync(db => db.Tokens.CountAsync(t => t.Kind == Domain.Tokens.TokenKind.Admin && t.RevokedAt == null));
        Assert.That(working, Is.EqualTo(1));
    }

    [Test]
    public async Task RevokeAdmin_OnlyOtherAdminHasExpired_IsRefused()
    {
        Start();
        var expiresAt = _factory.Clock.GetUtcNow().AddHours(1);
        await _admin.PostAsJsonAsync("/token", new { kind = "admin", name = "short-lived", expiresAt });
        var list = await (await _admin.GetAsync("/token?kind=admin")).ReadJsonAsync();
        var bootstrap = list["items"]!.AsArray().Single(t => t!["name"]!.GetValue<string>() == "bootstrap admin")!["tokenId"]!.GetValue<string>();

        _factory.Clock.Advance(TimeSpan.FromHours(2));
        var response = await _admin.DeleteAsync($"/token/{bootstrap}");

        await response.AssertErrorAsync(HttpStatusCode.Conflict, "last_admin_token");
    }
}

/// <summary>A controller whose saves can be made to lose every race (as if other replicas always changed the same rows first).</summary>
internal sealed class RacingControllerFactory(IDictionary<string, string?> settings) : ControllerFactory(settings)
{
    public bool LoseEveryRace { get; set; }

    protected override void ConfigureServices(IServiceCollection services)
    {
        var original = services.Last(d => d.ServiceType == typeof(Application.Common.Interfaces.IUnitOfWork));
        services.AddScoped<Application.Common.Interfaces.IUnitOfWork>(sp =>
            new RacingUnitOfWork((Application.Common.Interfaces.IUnitOfWork)ActivatorUtilities.CreateInstance(sp, original.ImplementationType!), this));
    }

    private sealed class RacingUnitOfWork(Application.Common.Interfaces.IUnitOfWork inner, RacingControllerFactory factory) : Application.Common.Interfaces.IUnitOfWork
    {
        public Task SaveChangesAsync(CancellationToken cancellationToken) => factory.LoseEveryRace
            ? throw new Application.Common.Exceptions.ConcurrencyConflictException("Lost the race (test).", new InvalidOperationException())
            : inner.SaveChangesAsync(cancellationToken);

        public Task<T> InTransactionAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken) => factory.LoseEveryRace
            ? throw new Application.Common.Exceptions.ConcurrencyConflictException("Lost the race (test).", new InvalidOperationException())
            : inner.InTransactionAsync(work, cancellationToken);

        public void Reset() => inner.Reset();
    }
}

/// <summary>Turns an anonymous test body into a JSON object that a test can change.</summary>
internal static class JsonSerializerNodes
{
    public static JsonObject ToNode(object body) => System.Text.Json.JsonSerializer.SerializeToNode(body)!.AsObject();
}
