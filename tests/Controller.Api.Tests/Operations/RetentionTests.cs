using System.Net;
using System.Net.Http.Json;
using Controller.Api.Tests.Infrastructure;
using Controller.Domain.EngineInstances;
using Controller.Infrastructure.BackgroundServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Controller.Api.Tests.Operations;

/// <summary>
/// Retention through the running controller: after a cluster has lived through crashes, a host's termination, a deleted
/// engine, a revoked token and a cancelled task, and the retention has passed, every ended row is gone and everything
/// the live cluster needs still works (on SQLite, and on PostgreSQL in its pass).
/// </summary>
public sealed class RetentionTests
{
    [Test]
    public async Task AfterTheRetention_EndedRowsAreGone_TheLiveClusterStillWorks()
    {
        using var factory = new ControllerFactory(new Dictionary<string, string?>
        {
            ["Scheduling:StartupGraceSeconds"] = "0",
            ["Scheduling:SweepIntervalSeconds"] = "3600",

            // The clock jumps five minutes at a time, past any lost-host timeout between two reports: liveness is not
            // what is tested here.
            ["Scheduling:HostLostAfterSeconds"] = "86400",
            ["Scheduling:InstanceHeartbeatTimeoutSeconds"] = "86400",
            ["Retention:TasksHours"] = "1",
            ["Retention:EventsHours"] = "1",
            ["Retention:InstancesHours"] = "1",
            ["Retention:HostsHours"] = "1",
            ["Retention:TokensHours"] = "1",
            ["Retention:AuditHours"] = "1",
            ["Retention:EnginesHours"] = "1",
        });
        using var admin = factory.Admin();
        var sweep = factory.Services.GetRequiredService<SweepService>();
        var engineId = await admin.CreateEngineAsync("svc", desired: 2);
        using var a = await Agent.RegisterAsync(factory);
        using var b = await Agent.RegisterAsync(factory);
        a.RunEngines = b.RunEngines = true;

        async Task RoundAsync()
        {
            foreach (var agent in new[] { a, b })
            {
                await agent.ReportAsync();
                await agent.HeartbeatEnginesAsync();
            }

            await sweep.TickAsync(CancellationToken.None);
        }

        for (var i = 0; i < 3; i++)
        {
            await RoundAsync();
        }

        // History: a crash, a terminated host, a deleted engine, a revoked token and a cancelled task.
        a.Crash(a.InstancesOf(engineId).First());
        await RoundAsync();
        Assert.That((await admin.PostAsync($"/host/{b.HostId}/terminate", null)).IsSuccessStatusCode, Is.True);
        var oldEngine = await admin.CreateEngineAsync("old", desired: 0);
        Assert.That((await admin.DeleteAsync($"/engine/{oldEngine}")).IsSuccessStatusCode, Is.True);
        var viewer = await (await admin.PostAsJsonAsync("/token", new { kind = "viewer", name = "gone" })).ReadJsonAsync();
        Assert.That((await admin.DeleteAsync($"/token/{viewer["tokenId"]}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        var task = await admin.SubmitAsync(engineId);
        Assert.That((await admin.DeleteAsync($"/task/{task["taskId"]}")).IsSuccessStatusCode, Is.True);
        for (var i = 0; i < 3; i++)
        {
            await RoundAsync();
        }

        var ended = await factory.WithDbAsync(db => db.EngineInstances.CountAsync(i => i.State == EngineInstanceState.Stopped || i.State == EngineInstanceState.Failed));
        Assert.That(ended, Is.GreaterThanOrEqualTo(2), "the crashed copy and the terminated host's");

        // Two hours of a live cluster: host A reports and its copies heartbeat all along.
        for (var minutes = 0; minutes < 120; minutes += 5)
        {
            factory.Clock.Advance(TimeSpan.FromMinutes(5));
            await a.ReportAsync();
            await a.HeartbeatEnginesAsync();
            await sweep.TickAsync(CancellationToken.None);
        }

        Assert.Multiple(async () =>
        {
            Assert.That(await factory.WithDbAsync(db => db.EngineInstances.CountAsync(i => i.State == EngineInstanceState.Stopped || i.State == EngineInstanceState.Failed)), Is.Zero);
            Assert.That((await admin.GetAsync($"/host/{b.HostId}/detail")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the terminated host is forgotten");
            Assert.That((await admin.GetAsync($"/engine/{oldEngine}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the deleted engine is forgotten");
            Assert.That((await admin.GetAsync($"/task/{task["taskId"]}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the cancelled task is gone");
            var cutoff = factory.Clock.GetUtcNow().AddHours(-1);
            var viewerId = Guid.Parse(viewer["tokenId"]!.GetValue<string>());
            Assert.That(await factory.WithDbAsync(db => db.Tokens.CountAsync(t => t.Id == viewerId || t.RevokedAt < cutoff)), Is.Zero, "revoked tokens are gone");
            Assert.That(await factory.WithDbAsync(db => db.Events.CountAsync(e => e.At < factory.Clock.GetUtcNow().AddHours(-1))), Is.Zero);
            Assert.That(await factory.WithDbAsync(db => db.Set<Controller.Domain.Audit.AuditEntry>().CountAsync()), Is.Zero, "the audit of two hours ago is gone");

            // The live cluster: host A, its two copies and their tokens, the engine, the admin token.
            Assert.That((await admin.GetAsync($"/host/{a.HostId}/detail")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var engine = await (await admin.GetAsync($"/engine/{engineId}")).ReadJsonAsync();
            Assert.That(engine["activeInstances"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(a.InstancesOf(engineId).Count(), Is.EqualTo(2));
        });

        var answer = await a.ReportAsync();
        Assert.That(answer["launch"]!.AsArray(), Is.Empty, "nothing relaunched: the live copies are still known");
        await a.HeartbeatEnginesAsync();
        Assert.That(a.ConflictsRetried, Is.Zero);
    }
}
