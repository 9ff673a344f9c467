using System.Net;
using Controller.Agent.Drivers;
using Controller.Agent.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Controller.Agent.Tests;

/// <summary>The status loop's decisions, with a fake driver and a fake controller behind the agent's real HTTP pipeline.</summary>
public sealed class StatusLoopTests
{
    private static readonly Guid HostId = Guid.Parse("01a24e8b-a09e-7442-99fe-15b9fcbd7f44");
    private readonly List<IHost> _hosts = [];
    private string _data = null!;

    [SetUp]
    public void SetUp() => _data = Directory.CreateTempSubdirectory("agent-tests-").FullName;

    [TearDown]
    public void TearDown()
    {
        _hosts.ForEach(h => h.Dispose());
        _hosts.Clear();
        Directory.Delete(_data, recursive: true);
        Environment.ExitCode = 0;
    }

    private static Func<HttpResponseMessage> Registered(bool created = true) => () => FakeController.Json(created ? HttpStatusCode.Created : HttpStatusCode.OK,
        $$"""{"hostId": "{{HostId}}", "token": {{(created ? "\"ctl_host\"" : "null")}}, "statusIntervalSeconds": 1, "state": "active", "created": {{(created ? "true" : "false")}}}""");

    private (StatusLoop Loop, IHostApplicationLifetime Lifetime) Build(FakeController controller, IEngineDriver driver, params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Agent:ControllerUrl"] = "http://controller.test:5080",
            ["Agent:RegistrationToken"] = "ctl_registration",
            ["Agent:DataDirectory"] = _data,
        }.Concat(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))));
        builder.AddAgent();
        builder.Services.AddHttpClient(AgentServices.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => controller);
        builder.Services.AddSingleton(driver);
        var host = builder.Build();
        _hosts.Add(host);
        return (host.Services.GetServices<IHostedService>().OfType<StatusLoop>().Single(), host.Services.GetRequiredService<IHostApplicationLifetime>());
    }

    /// <summary>Runs the loop until it asks the application to stop.</summary>
    private static async Task RunUntilStoppedAsync(StatusLoop loop, IHostApplicationLifetime lifetime)
    {
        var stopped = new TaskCompletionSource();
        using var registration = lifetime.ApplicationStopping.Register(stopped.SetResult);
        await loop.StartAsync(CancellationToken.None);
        await stopped.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Test]
    public async Task Register_FirstTime_SavesTheHostTokenWithOwnerOnlyAccess_ThenReportsWithIt()
    {
        var controller = new FakeController().On("/host/register", Registered()).On("/updatestatus", () => FakeController.Status());
        var (loop, _) = Build(controller, new FakeDriver());

        var hostId = await loop.RegisterAsync(CancellationToken.None);
        await loop.RoundAsync(hostId, CancellationToken.None);

        Assert.That(hostId, Is.EqualTo(HostId));
        var file = Path.Combine(_data, "host.json");
        Assert.That(File.GetUnixFileMode(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(new HostIdentityStore(_data).Current!.Token, Is.EqualTo("ctl_host"));
        Assert.That(controller.Requests.Select(r => r.Token), Is.EqualTo(new[] { "ctl_registration", "ctl_host" }));
    }

    [Test]
    public async Task Register_AfterARestart_UsesTheSavedHostToken_AndReportsTheEnginesStillRunning_WithoutStartingOrStoppingThem()
    {
        new HostIdentityStore(_data).Save(new HostIdentity(HostId, "ctl_host", DateTimeOffset.UtcNow));
        var driver = new FakeDriver();
        var running = FakeDriver.Running(Guid.NewGuid());
        driver.Engines.Add(running);
        var controller = new FakeController().On("/host/register", Registered(created: false))
            .On("/updatestatus", () => FakeController.Status(launch: FakeController.Launch(running.InstanceId)));
        var (loop, _) = Build(controller, driver);

        var hostId = await loop.RegisterAsync(CancellationToken.None);
        await loop.RoundAsync(hostId, CancellationToken.None);

        Assert.That(hostId, Is.EqualTo(HostId));
        Assert.That(controller.Requests[0].Token, Is.EqualTo("ctl_host"), "re-registers with its own token (200, same id)");
        Assert.That(controller.BodiesOf("/register").Single()!["containers"]!.AsArray().Single()!["engineInstanceId"]!.GetValue<string>(), Is.EqualTo(running.InstanceId.ToString()));
        Assert.That(controller.BodiesOf("/updatestatus").Single()!["containers"]!.AsArray(), Has.Count.EqualTo(1));
        Assert.That(driver.Started, Is.Empty, "a launch order for an engine already running here starts nothing");
        Assert.That(driver.Stopped, Is.Empty);
    }

    [Test]
    public async Task Launch_RepeatedInEveryAnswer_StartsTheEngineOnce()
    {
        var instanceId = Guid.NewGuid();
        var controller = new FakeController().On("/host/register", Registered())
            .On("/updatestatus", () => FakeController.Status(launch: FakeController.Launch(instanceId, grace: 12)));
        var driver = new FakeDriver();
        var (loop, _) = Build(controller, driver);
        var hostId = await loop.RegisterAsync(CancellationToken.None);

        for (var i = 0; i < 3; i++)
        {
            await loop.RoundAsync(hostId, CancellationToken.None);
        }

        Assert.That(driver.Started.Select(s => s.InstanceId), Is.EqualTo(new[] { instanceId }));
        Assert.That(driver.Started[0].Command, Is.EqualTo(new[] { "wordcount" }));
        Assert.That(driver.Started[0].Environment["ENGINE_INSTANCE_TOKEN"], Is.EqualTo("ctl_x"));
        Assert.That(driver.Started[0].StopGraceSeconds, Is.EqualTo(12));
    }

    [Test]
    public async Task Terminate_StopsWithTheOrdersGrace_ThenForgetsTheEngineOnceItExitedAndIsToldAgain()
    {
        var driver = new FakeDriver();
        var engine = FakeDriver.Running(Guid.NewGuid());
        driver.Engines.Add(engine);
        var terminate = $$"""[{"engineInstanceId": "{{engine.InstanceId}}", "containerId": "{{engine.ContainerId}}", "reason": "scaled_down", "stopGraceSeconds": 7}]""";
        var controller = new FakeController().On("/host/register", Registered()).On("/updatestatus", () => FakeController.Status(terminate: terminate));
        var (loop, _) = Build(controller, driver);
        var hostId = await loop.RegisterAsync(CancellationToken.None);

        await loop.RoundAsync(hostId, CancellationToken.None);
        Assert.That(driver.Stopped, Is.EqualTo(new[] { (engine.InstanceId, TimeSpan.FromSeconds(7)) }));
        Assert.That(driver.Forgotten, Is.Empty, "reported as exited first");

        await loop.RoundAsync(hostId, CancellationToken.None);
        Assert.That(controller.BodiesOf("/updatestatus").Last()!["containers"]![0]!["state"]!.GetValue<string>(), Is.EqualTo("exited"));
        Assert.That(driver.Forgotten, Is.EqualTo(new[] { engine.InstanceId }));
    }

    [Test]
    public async Task Report_429WithRetryAfter_IsRetriedAfterTheDelay_AndTheEnginesKeepRunning()
    {
        var driver = new FakeDriver();
        driver.Engines.Add(FakeDriver.Running(Guid.NewGuid()));
        var controller = new FakeController().On("/host/register", Registered())
            .On("/updatestatus",
                () =>
                {
                    var busy = FakeController.Error(HttpStatusCode.TooManyRequests, "too_many_requests");
                    busy.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(2));
                    return busy;
                },
                () => FakeController.Status());
        var (loop, _) = Build(controller, driver);
        var hostId = await loop.RegisterAsync(CancellationToken.None);

        var next = await loop.RoundAsync(hostId, CancellationToken.None);

        var reports = controller.Requests.Where(r => r.Path.EndsWith("/updatestatus", StringComparison.Ordinal)).ToList();
        Assert.That(reports, Has.Count.EqualTo(2), "retried by the pipeline");
        Assert.That(reports[1].At - reports[0].At, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1.9)), "after Retry-After");
        Assert.That(next, Is.EqualTo(TimeSpan.FromSeconds(1)));
        Assert.That(driver.Stopped, Is.Empty);
    }

    [Test]
    public async Task Report_ControllerDown_LeavesTheEnginesRunning_AndTriesAgainAtTheNextInterval()
    {
        var driver = new FakeDriver();
        driver.Engines.Add(FakeDriver.Running(Guid.NewGuid()));
        var controller = new FakeController().On("/host/register", Registered())
            .On("/updatestatus", () => throw new HttpRequestException("Connection refused"));
        var (loop, _) = Build(controller, driver);
        var hostId = await loop.RegisterAsync(CancellationToken.None);

        var next = await loop.RoundAsync(hostId, CancellationToken.None);

        Assert.That(next, Is.EqualTo(TimeSpan.FromSeconds(1)), "the last interval the controller told");
        Assert.That(controller.Requests.Count(r => r.Path.EndsWith("/updatestatus", StringComparison.Ordinal)), Is.GreaterThan(1), "retried with back-off first");
        Assert.That(driver.Stopped, Is.Empty);
    }

    [Test]
    public async Task HostToken401_StopsEveryEngine_AndEndsTheAgentWithANonZeroExitCode()
    {
        var driver = new FakeDriver();
        driver.Engines.AddRange([FakeDriver.Running(Guid.NewGuid(), 3), FakeDriver.Running(Guid.NewGuid(), 4)]);
        var controller = new FakeController().On("/host/register", Registered())
            .On("/updatestatus", () => FakeController.Error(HttpStatusCode.Unauthorized, "token_revoked"));
        var (loop, lifetime) = Build(controller, driver);

        await RunUntilStoppedAsync(loop, lifetime);

        Assert.That(Environment.ExitCode, Is.EqualTo(StatusLoop.ExitTokenRefused));
        Assert.That(driver.Stopped.Select(s => s.Grace.TotalSeconds), Is.EquivalentTo(new[] { 3.0, 4.0 }));
        Assert.That(driver.Engines, Is.Empty, "nothing left running or listed");
    }

    [Test]
    public async Task ModeTerminate_StopsEveryEngine_AndEndsTheAgentWithZero()
    {
        Environment.ExitCode = 99;
        var driver = new FakeDriver();
        driver.Engines.Add(FakeDriver.Running(Guid.NewGuid(), 2));
        var controller = new FakeController().On("/host/register", Registered()).On("/updatestatus", () => FakeController.Status(mode: "terminate"));
        var (loop, lifetime) = Build(controller, driver);

        await RunUntilStoppedAsync(loop, lifetime);

        Assert.That(Environment.ExitCode, Is.Zero);
        Assert.That(driver.Stopped, Has.Count.EqualTo(1));
        Assert.That(driver.Engines, Is.Empty);
    }

    [Test]
    public async Task Register_MachineAlreadyRegisteredAndNoSavedToken_EndsWithAClearMessageAndExitCode2()
    {
        var controller = new FakeController().On("/host/register",
            () => FakeController.Error(HttpStatusCode.Conflict, "host_already_registered", $$"""{"hostId": "{{HostId}}"}"""));
        var (loop, lifetime) = Build(controller, new FakeDriver());

        await RunUntilStoppedAsync(loop, lifetime);

        Assert.That(Environment.ExitCode, Is.EqualTo(StatusLoop.ExitMisconfigured));
        Assert.That(controller.Requests, Has.Count.EqualTo(1), "a conflict is not retried");
    }

    [Test]
    public async Task TokenOlderThanTheConfiguredAge_IsRotated_SavedBeforeUse_AndTheNextReportCarriesIt()
    {
        new HostIdentityStore(_data).Save(new HostIdentity(HostId, "ctl_old", DateTimeOffset.UtcNow.AddHours(-25)));
        var controller = new FakeController().On("/host/register", Registered(created: false))
            .On($"/host/{HostId}/token", () => FakeController.Json(HttpStatusCode.Created, $$"""{"hostId": "{{HostId}}", "token": "ctl_new", "tokenId": "{{Guid.NewGuid()}}"}"""))
            .On("/updatestatus", () => FakeController.Status());
        var (loop, _) = Build(controller, new FakeDriver(), ("Agent:RotateTokenAfterHours", "24"));

        var hostId = await loop.RegisterAsync(CancellationToken.None);
        await loop.RoundAsync(hostId, CancellationToken.None);
        await loop.RoundAsync(hostId, CancellationToken.None);

        Assert.That(controller.Requests.Select(r => (r.Path.Split('/').Last(), r.Token)), Is.EqualTo(new[]
        {
            ("register", "ctl_old"), ("token", "ctl_old"), ("updatestatus", "ctl_new"), ("updatestatus", "ctl_new"),
        }), "rotated once, with the old token; every report after it with the new one");
        Assert.That(new HostIdentityStore(_data).Current!.Token, Is.EqualTo("ctl_new"));
    }
}
