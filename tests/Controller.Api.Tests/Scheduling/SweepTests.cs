using Controller.Api.Tests.Infrastructure;
using Controller.Domain.Hosts;
using Controller.Infrastructure.BackgroundServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Controller.Api.Tests.Scheduling;

public sealed class SweepTests
{
    private static ControllerFactory NewFactory(int startupGrace = 0) => new(new Dictionary<string, string?>
    {
        ["Scheduling:HostLostAfterSeconds"] = "30",
        ["Scheduling:StartupGraceSeconds"] = startupGrace.ToString(System.Globalization.CultureInfo.InvariantCulture),
        // Only the test's own ticks sweep: the background timer would tick too whenever the fake clock jumps, and race them.
        ["Scheduling:SweepIntervalSeconds"] = "3600",
    });

    private static Task<HostState> StateAsync(ControllerFactory factory, Guid hostId) =>
        factory.WithDbAsync(db => db.Hosts.AsNoTracking().Where(h => h.Id == hostId).Select(h => h.State).SingleAsync());

    [Test]
    public async Task Sweep_AStepFails_TheOthersStillRun_AndTheNextTickRunsItAgain()
    {
        using var factory = new ControllerFactory(new Dictionary<string, string?>
        {
            ["Scheduling:HostLostAfterSeconds"] = "30",
            ["Scheduling:StartupGraceSeconds"] = "0",
            ["Scheduling:SweepIntervalSeconds"] = "3600",
            ["Retention:EventsHours"] = "1",
        });
        var agents = new List<Agent>();
        for (var i = 0; i < 4; i++)
        {
            agents.Add(await Agent.RegisterAsync(factory));
        }

        // The task step and the tasks' retention fail (their table is gone); the hosts step before them and the events'
        // retention still run.
        await factory.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("ALTER TABLE \"Tasks\" RENAME TO \"TasksGone\""));
        var sweep = factory.Services.GetRequiredService<SweepService>();
        factory.Clock.Advance(TimeSpan.FromMinutes(61));
        foreach (var agent in agents.Skip(1))
        {
            await agent.ReportAsync();
        }

        Assert.That(await sweep.TickAsync(CancellationToken.None), Is.True, "the sweep ran");
        Assert.That(await StateAsync(factory, agents[0].HostId), Is.EqualTo(HostState.Lost), "the hosts step ran");
        var cutoff = factory.Clock.GetUtcNow() - TimeSpan.FromHours(1);
        var old = await factory.WithDbAsync(db => db.Events.AsNoTracking().Select(e => e.At).ToListAsync());
        Assert.That(old.Count(at => at < cutoff), Is.Zero, "the retention of events ran though the tasks' failed (the registrations' events are past their retention)");
        Assert.That(old, Is.Not.Empty);

        await factory.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("ALTER TABLE \"TasksGone\" RENAME TO \"Tasks\""));
        Assert.That(await sweep.TickAsync(CancellationToken.None), Is.True);
        foreach (var agent in agents)
        {
            agent.Dispose();
        }
    }

    [Test]
    public async Task Sweep_OneOfFourHostsSilent_IsLost_ThenBackOnReport()
    {
        using var factory = NewFactory();
        var agents = new List<Agent>();
        for (var i = 0; i < 4; i++)
        {
            agents.Add(await Agent.RegisterAsync(factory));
        }

        var sweep = factory.Services.GetRequiredService<SweepService>();
        for (var t = 0; t < 8; t++)
        {
            factory.Clock.Advance(TimeSpan.FromSeconds(5));
            foreach (var agent in agents.Skip(1))
            {
                await agent.ReportAsync();
            }

            await sweep.TickAsync(CancellationToken.None);
        }

        Assert.That(await StateAsync(factory, agents[0].HostId), Is.EqualTo(HostState.Lost));
        await agents[0].ReportAsync();
        Assert.That(await StateAsync(factory, agents[0].HostId), Is.EqualTo(HostState.Active));
        agents.ForEach(a => a.Dispose());
    }

    [Test]
    public async Task Sweep_MostHostsSilentAtOnce_NoneIsDeclaredLost()
    {
        using var factory = NewFactory();
        var agents = new List<Agent>();
        for (var i = 0; i < 4; i++)
        {
            agents.Add(await Agent.RegisterAsync(factory));
        }

        factory.Clock.Advance(TimeSpan.FromSeconds(60));
        await agents[0].ReportAsync();
        await factory.Services.GetRequiredService<SweepService>().TickAsync(CancellationToken.None);

        foreach (var agent in agents)
        {
            Assert.That(await StateAsync(factory, agent.HostId), Is.EqualTo(HostState.Active));
        }

        agents.ForEach(a => a.Dispose());
    }

    [Test]
    public async Task Sweep_RightAfterStart_GivesEveryHostAnExtendedGrace()
    {
        using var factory = NewFactory(startupGrace: 120);
        var agents = new List<Agent>();
        for (var i = 0; i < 4; i++)
        {
            agents.Add(await Agent.RegisterAsync(factory));
        }

        var sweep = factory.Services.GetRequiredService<SweepService>();
        await sweep.TickAsync(CancellationToken.None);
        factory.Clock.Advance(TimeSpan.FromSeconds(60));
        foreach (var agent in agents.Skip(1))
        {
            await agent.ReportAsync();
        }

        await sweep.TickAsync(CancellationToken.None);
        Assert.That(await StateAsync(factory, agents[0].HostId), Is.EqualTo(HostState.Active), "within the start-up grace");

        factory.Clock.Advance(TimeSpan.FromSeconds(100));
        foreach (var agent in agents.Skip(1))
        {
            await agent.ReportAsync();
        }

        await sweep.TickAsync(CancellationToken.None);
        Assert.That(await StateAsync(factory, agents[0].HostId), Is.EqualTo(HostState.Lost), "after it");
        agents.ForEach(a => a.Dispose());
    }
}
