using System.Net;
using System.Net.Http.Json;
using Controller.Api.Tests.Infrastructure;
using Controller.Infrastructure.BackgroundServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Controller.Api.Tests.Hosts;

/// <summary>
/// A report that changes nothing writes nothing: it is answered from memory and its last-seen time is written later
/// in a batch; any change, order or deficit the host could fill goes through a full round at once.
/// </summary>
public sealed class SteadyStateFastPathTests
{
    private ControllerFactory _factory = null!;
    private HttpClient _admin = null!;

    [SetUp]
    public void SetUp()
    {
        _factory = new ControllerFactory(new Dictionary<string, string?>
        {
            ["Scheduling:FastPathMaxAgeSeconds"] = "15",
            ["Scheduling:LastSeenFlushMilliseconds"] = "60000", // only the test's own flush
            ["Scheduling:InstanceHeartbeatTimeoutSeconds"] = "5",
        });
        _admin = _factory.Admin();
    }

    [TearDown]
    public void TearDown()
    {
        _admin.Dispose();
        _factory.Dispose();
    }

    private Task<(long Version, DateTimeOffset LastSeenAt)> HostRowAsync(Guid hostId) =>
        _factory.WithDbAsync(db => db.Hosts.AsNoTracking().Where(h => h.Id == hostId).Select(h => new ValueTuple<long, DateTimeOffset>(h.Version, h.LastSeenAt)).SingleAsync());

    private Task<int> FlushAsync() => _factory.Services.GetRequiredService<LastSeenFlushService>().FlushAsync(CancellationToken.None);

    [Test]
    public async Task SteadyReports_WriteNoRow_LastSeenIsWrittenByTheBatchFlush()
    {
        using var agent = await Agent.RegisterAsync(_factory);
        await agent.ReportAsync();
        var (version, _) = await HostRowAsync(agent.HostId);

        _factory.Clock.Advance(TimeSpan.FromSeconds(5));
        var answer = await agent.ReportAsync();
        await agent.ReportAsync();
        var afterReports = await HostRowAsync(agent.HostId);

        Assert.That(answer["mode"]!.GetValue<string>(), Is.EqualTo("continue"));
        Assert.That(afterReports.Version, Is.EqualTo(version), "no write per steady report");
        Assert.That(await FlushAsync(), Is.EqualTo(1));
        var afterFlush = await HostRowAsync(agent.HostId);
        Assert.That(afterFlush.LastSeenAt, Is.EqualTo(_factory.Clock.GetUtcNow()).Within(TimeSpan.FromMilliseconds(1)));
        Assert.That(afterFlush.Version, Is.EqualTo(version));
    }

    [Test]
    public async Task SteadyHost_EngineAddedThatItCouldRun_NextReportLaunches()
    {
        using var agent = await Agent.RegisterAsync(_factory);
        await agent.ReportAsync();
        await agent.ReportAsync();

        await _admin.PostAsJsonAsync("/engine", new { name = "ocr", image = "i", resources = new { cpuMillicores = 1000, memoryMiB = 1024 }, maxInstances = 2, desiredInstances = 2 });
        var answer = await agent.ReportAsync();

        Assert.That(answer["launch"]!.AsArray(), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task SteadyHost_ContainerExits_FullRoundAtOnce()
    {
        var created = await _admin.PostAsJsonAsync("/engine", new { name = "ocr", image = "i", resources = new { cpuMillicores = 1000, memoryMiB = 1024 }, maxInstances = 1, desiredInstances = 1 });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        using var agent = await Agent.RegisterAsync(_factory);
        agent.RunEngines = true;
        await agent.ReportAsync();
        await agent.ReportAsync();
        await agent.ReportAsync();
        var instance = agent.Containers.Keys.Single();

        agent.Crash(instance);
        var answer = await agent.ReportAsync();

        Assert.That(answer["terminate"]!.AsArray().Select(t => t!["engineInstanceId"]!.GetValue<string>()), Does.Contain(instance.ToString()));
    }

    [Test]
    public async Task SteadyHost_DrainedOnThisReplica_NextReportSaysDrain()
    {
        using var agent = await Agent.RegisterAsync(_factory);
        await agent.ReportAsync();
        await agent.ReportAsync();

        await _admin.PostAsync($"/host/{agent.HostId}/drain", null);
        var answer = await agent.ReportAsync();

        Assert.That(answer["mode"]!.GetValue<string>(), Is.EqualTo("drain"));
    }

    [Test]
    public async Task SteadyHost_AfterTheLongestAge_AFullRoundRuns_AndFailsACopyThatStoppedHeartbeating()
    {
        await _admin.PostAsJsonAsync("/engine", new { name = "ocr", image = "i", resources = new { cpuMillicores = 1000, memoryMiB = 1024 }, maxInstances = 1, desiredInstances = 1 });
        using var agent = await Agent.RegisterAsync(_factory);
        agent.RunEngines = true;
        await agent.ReportAsync();
        await agent.ReportAsync();
        await agent.ReportAsync();
        var instance = agent.Containers.Keys.Single();
        agent.RunEngines = false; // the container runs, its engine is silent

        _factory.Clock.Advance(TimeSpan.FromSeconds(6)); // past the heartbeat timeout, within every host's share of the age
        var fast = await agent.ReportAsync(carryOut: false);
        _factory.Clock.Advance(TimeSpan.FromSeconds(10));
        var full = await agent.ReportAsync(carryOut: false);

        Assert.That(fast["terminate"]!.AsArray(), Is.Empty, "answered from memory: the timeout is not looked at yet");
        Assert.That(full["terminate"]!.AsArray().Select(t => t!["engineInstanceId"]!.GetValue<string>()), Does.Contain(instance.ToString()),
            "the full round after the age re-evaluates the timeouts");
    }

    [Test]
    public async Task AFullRoundThatChangesNothing_WritesNoRow_TheFlushRecordsTheReportTime()
    {
        using var agent = await Agent.RegisterAsync(_factory);
        await agent.ReportAsync();
        await agent.ReportAsync();
        var (version, _) = await HostRowAsync(agent.HostId);

        _factory.Clock.Advance(TimeSpan.FromSeconds(16));
        await agent.ReportAsync(); // a full round (the age is over) with the same report and the same orders
        await agent.ReportAsync(); // and the fast path again after it

        Assert.That((await HostRowAsync(agent.HostId)).Version, Is.EqualTo(version), "nothing but the time changed: no write");
        Assert.That(await FlushAsync(), Is.EqualTo(1));
        var status = await (await _admin.GetAsync($"/host/{agent.HostId}/status")).ReadJsonAsync();
        Assert.That(status["receivedAt"]!.GetValue<DateTimeOffset>(), Is.EqualTo(_factory.Clock.GetUtcNow()).Within(TimeSpan.FromMilliseconds(1)));
        Assert.That((await HostRowAsync(agent.HostId)).LastSeenAt, Is.EqualTo(_factory.Clock.GetUtcNow()).Within(TimeSpan.FromMilliseconds(1)));
    }
}
