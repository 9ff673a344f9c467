using System.Diagnostics;
using Controller.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Controller.Api.Tests.Work;

/// <summary>
/// Idle copies that long-poll cost the database nothing while they wait: 50 copies polling for a (simulated) minute
/// with no tasks issue no more claim queries than one per call (the call's first ask; fewer: calls that ask together
/// claim together), three per copy with 20-s waits, where copies answered <c>wait</c> and asking again every
/// <c>Work:PollSeconds</c> would issue one per copy every two seconds.
/// </summary>
public sealed class LongPollCostTests
{
    [Test]
    public async Task FiftyIdleCopies_LongPollingForAMinute_ClaimNoMoreThanOncePerCall()
    {
        using var factory = new ControllerFactory(new Dictionary<string, string?>
        {
            ["Scheduling:SweepIntervalSeconds"] = "3600",
            ["Scheduling:InstanceHeartbeatTimeoutSeconds"] = "3600",
            ["Scheduling:HostLostAfterSeconds"] = "3600",
            ["Scheduling:MaxLaunchesPerAnswer"] = "50",
        });
        using var admin = factory.Admin();
        var engineId = await admin.CreateEngineAsync("idle", desired: 50, max: 50);
        using var agent = await Agent.RegisterAsync(factory, cpu: 64_000, memory: 262_144);
        agent.RunEngines = true;
        for (var report = 0; report < 4; report++)
        {
            await agent.ReportAsync();
        }

        var workers = Worker.Of(factory, agent, engineId);
        Assert.That(workers, Has.Count.EqualTo(50));

        var database = await factory.WithDbAsync(db => Task.FromResult((db.Database.GetDbConnection().DataSource, db.Database.GetDbConnection().Database)));
        using var claims = new ClaimCounter(database);
        using var stop = new CancellationTokenSource();
        var polling = workers.Select(w => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var answer = await w.GetWorkWithAsync(new { maxItems = 1, waitSeconds = 20 });
                Assert.That(answer["action"]!.GetValue<string>(), Is.EqualTo("wait"));
            }
        })).ToList();

        for (var second = 0; second < 60; second++)
        {
            await Task.Delay(50);
            factory.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        var counted = claims.Count;
        stop.Cancel();

        // Every held call ends; a call asked just before the stop may be held only after an advance: advanced again.
        var ended = Task.WhenAll(polling);
        while (!ended.IsCompleted)
        {
            factory.Clock.Advance(TimeSpan.FromSeconds(20));
            await Task.WhenAny(ended, Task.Delay(200));
        }

        await ended;

        TestContext.Out.WriteLine($"{counted} claim queries for 50 copies over a minute");
        Assert.That(counted, Is.GreaterThan(0), "the counter sees the claims");
        Assert.That(counted, Is.LessThanOrEqualTo(50 * (60 / 20 + 1)), "one per call at most: a held call does not ask again while nothing changes");
        Assert.That(counted, Is.LessThan(50 * 30), "fewer than plain polling every two seconds");
    }

    /// <summary>Counts the claim queries (the queue read in priority order) run on one controller's database.</summary>
    private sealed class ClaimCounter : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
    {
        private readonly (string DataSource, string Database) _database;
        private readonly IDisposable _all;
        private readonly List<IDisposable> _subscriptions = [];
        private int _count;

        public ClaimCounter((string DataSource, string Database) database)
        {
            _database = database;
            _all = DiagnosticListener.AllListeners.Subscribe(this);
        }

        public int Count => Volatile.Read(ref _count);

        public void OnNext(DiagnosticListener value)
        {
            if (value.Name == DbLoggerCategory.Name)
            {
                lock (_subscriptions)
                {
                    _subscriptions.Add(value.Subscribe(this));
                }
            }
        }

        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (value.Key == RelationalEventId.CommandExecuted.Name && value.Value is CommandExecutedEventData data
                && data.Command.Connection is { } connection && (connection.DataSource, connection.Database) == _database
                && data.Command.CommandText.Contains("\"Tasks\"", StringComparison.Ordinal)
                && data.Command.CommandText.Contains("\"Priority\" DESC", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _count);
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void Dispose()
        {
            _all.Dispose();
            lock (_subscriptions)
            {
                _subscriptions.ForEach(s => s.Dispose());
            }
        }
    }
}
