using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Controller.Api.Tests.Infrastructure;
using Controller.Domain.EngineInstances;
using Microsoft.EntityFrameworkCore;

namespace Controller.Api.Tests.Scheduling;

/// <summary>
/// Preemption through HTTP with simulated agents: on a full cluster a priority-100 engine gets its copies by stopping
/// priority-10 copies, one copy's worth per round, never overfilling a host; engines of equal or lower priority never
/// preempt, non-preemptible copies are never stopped, and once placed nothing flaps.
/// </summary>
public sealed class PreemptionScenarioTests
{
    private ControllerFactory _factory = null!;
    private HttpClient _admin = null!;
    private List<Agent> _agents = null!;

    [SetUp]
    public async Task SetUp()
    {
        _factory = new ControllerFactory();
        _admin = _factory.Admin();
        _agents = [await Agent.RegisterAsync(_factory, cpu: 4000, memory: 8192), await Agent.RegisterAsync(_factory, cpu: 4000, memory: 8192)];
        _agents.ForEach(a => a.RunEngines = true);
    }

    [TearDown]
    public void TearDown()
    {
        _agents.ForEach(a => a.Dispose());
        _admin.Dispose();
        _factory.Dispose();
    }

    private async Task<Guid> CreateEngineAsync(string name, int priority, int desired, bool? preemptible = null)
    {
        var response = await _admin.PostAsJsonAsync("/engine", new
        {
            name,
            image = $"registry/{name}:1",
            resources = new { cpuMillicores = 2000, memoryMiB = 2048, gpuCount = 0 },
            priority,
            minInstances = 0,
            maxInstances = 10,
            desiredInstances = desired,
            preemptible,
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var engine = await response.ReadJsonAsync();
        Assert.That(engine["preemptible"]!.GetValue<bool>(), Is.EqualTo(preemptible ?? true));
        return Guid.Parse(engine["engineId"]!.GetValue<string>());
    }

    /// <summary>Every agent reports <paramref name="rounds"/> times; after each report no host runs more than it has.</summary>
    private async Task ReportAsync(int rounds)
    {
        for (var round = 0; round < rounds; round++)
        {
            foreach (var agent in _agents)
            {
                await agent.ReportAsync();
                var cpu = agent.Containers.Values.Where(c => c.State != "exited").Sum(c => c.Launch["resources"]!["cpuMillicores"]!.GetValue<int>());
                Assert.That(cpu, Is.LessThanOrEqualTo(4000), "no host runs more than it has");
            }
        }
    }

    private Task<int> RunningAsync(Guid engineId) =>
        _factory.WithDbAsync(db => db.EngineInstances.CountAsync(i => i.EngineId == engineId &&
            (i.State == EngineInstanceState.Pending || i.State == EngineInstanceState.Starting || i.State == EngineInstanceState.Running)));

    private async Task<List<JsonObject>> EventsAsync(string type)
    {
        var feed = await (await _admin.GetAsync($"/event?type={type}&limit=100")).ReadJsonAsync();
        return [.. feed["items"]!.AsArray().Select(e => e!.AsObject())];
    }

    [Test]
    public async Task AFullCluster_AHighPriorityEngine_GetsItsCopiesByPreemptingLowerOnes_AndNothingFlaps()
    {
        var batch = await CreateEngineAsync("batch", priority: 10, desired: 4);
        await ReportAsync(2);
        Assert.That(await RunningAsync(batch), Is.EqualTo(4), "the cluster is full");

        var peer = await CreateEngineAsync("peer", priority: 10, desired: 1);
        await ReportAsync(3);
        Assert.That((await RunningAsync(batch), await RunningAsync(peer)), Is.EqualTo((4, 0)), "equal priorities never preempt each other");

        var urgent = await CreateEngineAsync("urgent", priority: 100, desired: 2);
        await ReportAsync(4);

        Assert.That(await RunningAsync(urgent), Is.EqualTo(2), "the high-priority engine got its copies");
        Assert.That(await RunningAsync(batch), Is.EqualTo(2), "by stopping exactly as many priority-10 copies");
        var stopped = await _factory.WithDbAsync(db => db.EngineInstances.Where(i => i.EngineId == batch && i.StopReason == "preempted").CountAsync());
        Assert.That(stopped, Is.EqualTo(2));
        var preempting = await EventsAsync("engine.preempting");
        Assert.That(preempting, Has.Count.EqualTo(2));
        Assert.That(preempting[0]["message"]!.GetValue<string>(), Does.Contain("urgent").And.Contain("batch (priority 10)"));

        await ReportAsync(5);
        Assert.That((await RunningAsync(urgent), await RunningAsync(batch), await RunningAsync(peer)), Is.EqualTo((2, 2, 0)), "nothing flaps");
        Assert.That(await EventsAsync("engine.preempting"), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task CopiesOfANonPreemptibleEngine_AreNeverStopped_ForAnyPriority()
    {
        var pinned = await CreateEngineAsync("pinned", priority: 0, desired: 4, preemptible: false);
        await ReportAsync(2);

        var urgent = await CreateEngineAsync("urgent", priority: 1000, desired: 1);
        await ReportAsync(4);

        Assert.That((await RunningAsync(pinned), await RunningAsync(urgent)), Is.EqualTo((4, 0)));
        Assert.That(await EventsAsync("engine.preempting"), Is.Empty);
    }
}
