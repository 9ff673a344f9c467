using System.Text.Json.Nodes;
using Controller.Api.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Controller.Api.Tests.Hosts;

/// <summary>
/// A host answered from memory on one replica: a change made on another replica reaches that answer within the view
/// refresh (a second), not when the remembered answer ages (up to a minute).
/// </summary>
public sealed class SteadyAnswersAcrossReplicasTests
{
    [Test]
    public async Task ACopyStoppedOnAnotherReplica_IsTerminatedThroughTheSteadyReplica_WithinTheViewRefresh()
    {
        var settings = TestDatabase.SharedPostgresSettings();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var steady = new ControllerFactory(settings, clock);
        _ = steady.Server; // the first migrates
        using var other = new ControllerFactory(settings, clock);
        using var admin = steady.Admin();
        using var otherAdmin = other.Admin();
        var engineId = await admin.CreateEngineAsync("steady", desired: 1);

        // Room for exactly the one copy: the engine's deficit after the stop cannot call for a round here.
        using var agent = await Agent.RegisterAsync(steady, cpu: 1000, memory: 4096);
        agent.RunEngines = true;
        for (var report = 0; report < 3; report++)
        {
            await agent.ReportAsync();
        }

        var instanceId = agent.InstancesOf(engineId).Single();
        Assert.That((await agent.ReportAsync())["terminate"]!.AsArray(), Is.Empty);

        (await otherAdmin.DeleteAsync($"/engine_instance/{instanceId}")).EnsureSuccessStatusCode();
        clock.Advance(TimeSpan.FromSeconds(2)); // the steady replica's view is past its age: the next report refreshes it

        agent.CarryOutTerminates = false;
        JsonObject answer = null!;
        for (var report = 0; report < 20; report++)
        {
            answer = await agent.ReportAsync();
            if (answer["terminate"]!.AsArray().Count > 0)
            {
                break;
            }

            await Task.Delay(50);
        }

        Assert.That(answer["terminate"]!.AsArray().Select(t => t!["engineInstanceId"]!.GetValue<string>()), Is.EqualTo(new[] { instanceId.ToString() }),
            "the stop reached the steady replica's answer with its view refresh");
    }
}
