using System.Net.Http.Json;
using Controller.Api.Tests.Infrastructure;
using Controller.Application.Hosts.Commands.UpdateHostStatus;
using Controller.Application.Hosts.FastPath;
using Controller.Application.Hosts.Models;
using Controller.Application.Common.Models;
using Controller.Domain.EngineInstances;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Controller.Api.Tests.Scheduling;

/// <summary>
/// Make before break when several hosts drain at once: displaced copies stop only as replacements run, counted across
/// every round that decides at the same time (one batch, or batches one after another on counts read before).
/// </summary>
public sealed class MakeBeforeBreakTests
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

    [Test]
    public async Task TwoDrainingHostsInOneBatch_OneReplacementRuns_OnlyOneDisplacedCopyStops()
    {
        var (engineId, draining) = await TwoDisplacedCopiesOneReplacementRunningAsync();

        // Both draining hosts report in the same batch: each round alone would see one replacement running and two
        // displaced copies up for a target of two, and stop its own.
        using (var scope = _factory.Services.CreateScope())
        {
            var batch = scope.ServiceProvider.GetRequiredService<StatusBatch>();
            var outcomes = await batch.RunAsync([.. draining.Select(Call)], CancellationToken.None);
            Assert.That(outcomes.Select(o => o.Answer!.Terminate.Count).Sum(), Is.EqualTo(1), "one copy may go: one replacement runs");
        }

        Assert.That(await UpCountAsync(engineId), Is.EqualTo(3), "two displaced copies less the one stopped, and the two replacements");
    }

    [Test]
    public async Task TwoDrainingHostsOneAfterTheOther_TheSecondCountsTheFirstsStop()
    {
        var (engineId, draining) = await TwoDisplacedCopiesOneReplacementRunningAsync();

        // Reports of both hosts at once through HTTP: batches one after another, or one batch; never two stops.
        var answers = await Task.WhenAll(draining.Select(a => a.ReportAsync()));

        Assert.That(answers.Sum(a => a["terminate"]!.AsArray().Count), Is.EqualTo(1));
        Assert.That(await UpCountAsync(engineId), Is.EqualTo(3));
    }

    [Test]
    public async Task TwoDrainingHostsOnTwoReplicas_OnlyOneDisplacedCopyStops()
    {
        var settings = TestDatabase.SharedPostgresSettings(("Scheduling:SnapshotMaxAgeMilliseconds", "0"));

        // The rounds race on two replicas: the stop that commits second conflicts (the engine's version moved) and is
        // decided again on counts that see the first. Several tries, as the race is one of timing.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            TearDown();
            settings["ConnectionStrings:Controller"] = TestDatabase.CreatePostgresDatabase(TestDatabase.PostgresConnectionString()!);
            _factory = new ControllerFactory(settings);
            _admin = _factory.Admin();
            using var other = new ControllerFactory(settings);
            var (engineId, draining) = await TwoDisplacedCopiesOneReplacementRunningAsync();
            draining[1].UseReplica(other);

            var answers = await Task.WhenAll(draining.Select(a => a.ReportAsync()));

            Assert.That(answers.Sum(a => a["terminate"]!.AsArray().Count), Is.EqualTo(1), $"try {attempt + 1}");
            Assert.That(await UpCountAsync(engineId), Is.EqualTo(3));
        }
    }

    /// <summary>
    /// Two hosts with room for one copy each run the engine's two copies and drain; a third host takes both
    /// replacements, of which one runs and one is still starting.
    /// </summary>
    private async Task<(Guid EngineId, Agent[] Draining)> TwoDisplacedCopiesOneReplacementRunningAsync()
    {
        var engineId = await _admin.CreateEngineAsync("moved", desired: 2);
        var draining = new[] { await Agent.RegisterAsync(_factory, cpu: 1000, memory: 4096), await Agent.RegisterAsync(_factory, cpu: 1000, memory: 4096) };
        foreach (var agent in draining)
        {
            agent.RunEngines = true;
            await agent.ReportAsync();
            await agent.ReportAsync();
        }

        using var spare = await Agent.RegisterAsync(_factory, cpu: 2000, memory: 4096);
        spare.RunEngines = true;
        spare.EngineComesUp = _ => false;
        foreach (var agent in draining)
        {
            (await _admin.PostAsJsonAsync($"/host/{agent.HostId}/drain", new { })).EnsureSuccessStatusCode();
            await agent.ReportAsync();
        }

        var launched = (await spare.ReportAsync())["launch"]!.AsArray();
        Assert.That(launched, Has.Count.EqualTo(2), "both displaced copies get a replacement");
        using (var replacement = _factory.ClientWith(launched[0]!["environment"]!["ENGINE_INSTANCE_TOKEN"]!.GetValue<string>()))
        {
            (await replacement.PostAsync($"/engine_instance/{launched[0]!["engineInstanceId"]}/register", null)).EnsureSuccessStatusCode();
        }

        await spare.ReportAsync();
        var states = await _factory.WithDbAsync(db => db.EngineInstances.Where(i => i.HostId == spare.HostId).Select(i => i.State).ToListAsync());
        Assert.That(states, Is.EquivalentTo(new[] { EngineInstanceState.Running, EngineInstanceState.Starting }));
        Assert.That(draining.Select(a => a.InstancesOf(engineId).Count()), Is.EqualTo(new[] { 1, 1 }), "the displaced copies still run");
        return (engineId, draining);
    }

    private static StatusCall Call(Agent agent)
    {
        var containers = agent.Containers.Select(c => new ContainerReportModel(c.Value.ContainerId, c.Key, ContainerState.Running, null, null, null)).ToList();
        return new StatusCall(new UpdateHostStatusCommand(agent.HostId, new ResourcesModel(0, 0, 0, 0), containers), SteadyStateCache.Fingerprint(containers));
    }

    private Task<int> UpCountAsync(Guid engineId) =>
        _factory.WithDbAsync(db => db.EngineInstances.CountAsync(i => i.EngineId == engineId &&
            (i.State == EngineInstanceState.Pending || i.State == EngineInstanceState.Starting || i.State == EngineInstanceState.Running)));
}
