using Controller.Application.Common.Interfaces;
using Controller.Domain.Common;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Controller.Domain.Hosts;
using Controller.Domain.Work;
using Controller.Infrastructure.Persistence;
using Controller.Infrastructure.Persistence.Repositories;
using Microsoft.EntityFrameworkCore;

namespace Controller.Infrastructure.Tests.Persistence.Repositories;

/// <summary>The sweep's reads of the task queue against a real database.</summary>
public sealed class TaskRepositoryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private TestDatabase _database = null!;

    [SetUp]
    public void SetUp() => _database = new TestDatabase();

    [TearDown]
    public void TearDown() => _database.Dispose();

    private static Engine NewEngine(string name, int desired = 0) =>
        Engine.Create(Guid.CreateVersion7(), new EngineSpec(name, "i", new Resources(100, 64, 0, 0), 0, 0, 4, desired, new Dictionary<string, string>()), T0);

    private static WorkTask NewTask(Engine engine, int maxAttempts = 3) => WorkTask.Submit(Guid.CreateVersion7(), new TaskSpec(engine.Id, "{}", 0, maxAttempts, 60, null), T0);

    [Test]
    public async Task ListQueuedOfDeletedEngines_OnlyQueuedTasksOfEnginesBeingDeleted()
    {
        var live = NewEngine("live");
        var going = NewEngine("going");
        var queuedLive = NewTask(live);
        var queuedGoing = NewTask(going);
        var leasedGoing = NewTask(going);
        leasedGoing.Lease(Guid.NewGuid(), T0);
        await using (var db = _database.CreateContext())
        {
            db.Engines.AddRange(live, going);
            db.Tasks.AddRange(queuedLive, queuedGoing, leasedGoing);
            await db.SaveChangesAsync();
        }

        await using (var db = _database.CreateContext())
        {
            Assert.That(await new TaskRepository(db, new SingleWriterGate()).ListQueuedOfDeletedEnginesAsync(10, CancellationToken.None), Is.Empty,
                "no engine is being deleted");
            var engine = await db.Engines.FindAsync(going.Id);
            engine!.Delete(T0);
            await db.SaveChangesAsync();
        }

        await using (var db = _database.CreateContext())
        {
            var found = await new TaskRepository(db, new SingleWriterGate()).ListQueuedOfDeletedEnginesAsync(10, CancellationToken.None);
            Assert.That(found.Select(t => t.Id), Is.EqualTo(new[] { queuedGoing.Id }));
        }
    }

    [Test]
    public async Task ListInstancesWithHeld_EachInstanceWithTheTasksItHolds_Tracked()
    {
        var engine = NewEngine("e", desired: 3);
        var host = Host.Register(Guid.CreateVersion7(), new HostRegistration("m", "h", ["10.0.0.1"], "1", new Dictionary<string, string>(), new Resources(8000, 8192, 0, 0), []), T0);
        var busy = EngineInstance.Launch(Guid.CreateVersion7(), engine, host.Id, [], Guid.NewGuid(), T0);
        var idle = EngineInstance.Launch(Guid.CreateVersion7(), engine, host.Id, [], Guid.NewGuid(), T0);
        var other = EngineInstance.Launch(Guid.CreateVersion7(), engine, host.Id, [], Guid.NewGuid(), T0);
        var leased = NewTask(engine);
        leased.Lease(busy.Id, T0);
        var cancelled = NewTask(engine);
        cancelled.Lease(busy.Id, T0);
        cancelled.Cancel(T0);
        var done = NewTask(engine);
        done.Lease(busy.Id, T0);
        done.Complete(busy.Id, TaskOutcome.Succeeded, "{}", null, T0);
        var others = NewTask(engine);
        others.Lease(other.Id, T0);
        await using (var db = _database.CreateContext())
        {
            db.Engines.Add(engine);
            db.Hosts.Add(host);
            db.EngineInstances.AddRange(busy, idle, other);
            db.Tasks.AddRange(leased, cancelled, done, others, NewTask(engine));
            await db.SaveChangesAsync();
        }

        await using (var db = _database.CreateContext())
        {
            var rows = await new TaskRepository(db, new SingleWriterGate()).ListInstancesWithHeldAsync([busy.Id, idle.Id, Guid.NewGuid()], T0, CancellationToken.None);

            Assert.That(rows.Select(r => r.Instance.Id), Is.EquivalentTo(new[] { busy.Id, idle.Id }), "unknown ids are left out");
            Assert.That(rows.Single(r => r.Instance.Id == busy.Id).Held.Select(t => t.Id), Is.EquivalentTo(new[] { leased.Id, cancelled.Id }),
                "its lease and the cancelled task it is still to be told of; not the finished one nor another's");
            Assert.That(rows.Single(r => r.Instance.Id == idle.Id).Held, Is.Empty);
            Assert.That(db.ChangeTracker.Entries<WorkTask>().Count(), Is.EqualTo(2), "tracked, so that the round saves what it changes");
        }

        await using (var db = _database.CreateContext())
        {
            var later = T0.AddMinutes(2);
            var rows = await new TaskRepository(db, new SingleWriterGate()).ListInstancesWithHeldAsync([busy.Id], later, CancellationToken.None);
            Assert.That(rows.Single().Held.Select(t => t.Id), Is.EqualTo(new[] { leased.Id }),
                "once the cancelled task's lease has ended there is nothing to tell; a lease that has ended is still held until the sweep");
        }
    }

    [Test]
    public async Task Backlog_CountsUpToTheLimit_AndSaysWhenThereAreMore()
    {
        var engine = NewEngine("e");
        var idle = NewEngine("idle");
        var queued = Enumerable.Range(0, 3)
            .Select(i => WorkTask.Submit(Guid.CreateVersion7(), new TaskSpec(engine.Id, "{}", 0, 3, 60, null), T0.AddSeconds(10 - i)))
            .ToList();
        var leased = NewTask(engine);
        leased.Lease(Guid.NewGuid(), T0);
        var done = NewTask(engine);
        done.Lease(Guid.NewGuid(), T0);
        done.Complete(done.InstanceId!.Value, TaskOutcome.Succeeded, "{}", null, T0);
        await using (var db = _database.CreateContext())
        {
            db.Engines.AddRange(engine, idle);
            db.Tasks.AddRange([.. queued, leased, done]);
            await db.SaveChangesAsync();
        }

        await using (var db = _database.CreateContext())
        {
            var repository = new TaskRepository(db, new SingleWriterGate());
            var exact = await repository.BacklogAsync([engine.Id, idle.Id], 3, CancellationToken.None);
            Assert.That(exact.Keys, Is.EqualTo(new[] { engine.Id }), "an engine with nothing queued or leased is absent");
            Assert.That(exact[engine.Id], Is.EqualTo(new TaskBacklog(3, 1, T0.AddSeconds(8))), "the oldest queued task is the one submitted first");
            Assert.That(exact[engine.Id].QueuedCapped, Is.False);

            var capped = (await repository.BacklogAsync([engine.Id], 2, CancellationToken.None))[engine.Id];
            Assert.That((capped.Queued, capped.QueuedCapped, capped.Leased, capped.LeasedCapped), Is.EqualTo((2, true, 1, false)),
                "three queued counted to a limit of two: two, and more");
        }
    }

    [Test]
    public async Task ExpireLeases_LeavesEachTaskAsTheDomainWould_BackToTheQueueOrDeadLetter_OthersUntouched()
    {
        var engine = NewEngine("e");
        var retry = NewTask(engine, maxAttempts: 3);
        var last = NewTask(engine, maxAttempts: 1);
        var live = NewTask(engine, maxAttempts: 3);
        var done = NewTask(engine, maxAttempts: 3);
        retry.Lease(Guid.NewGuid(), T0);
        last.Lease(Guid.NewGuid(), T0);
        live.Lease(Guid.NewGuid(), T0.AddSeconds(100));
        done.Lease(Guid.NewGuid(), T0);
        done.Complete(done.InstanceId!.Value, TaskOutcome.Succeeded, "{}", null, T0.AddSeconds(1));
        var now = T0.AddSeconds(61);

        var ended = await EndAttemptsAsync([engine], [retry, last, live, done], r => r.ExpireLeasesAsync(now, 10, CancellationToken.None),
            t => t.ExpireLease(now));

        Assert.That((ended.Found, ended.Changed), Is.EqualTo((2, 2)));
        Assert.That(ended.Requeued, Is.EqualTo(new Dictionary<Guid, int> { [engine.Id] = 1 }), "the retried one is back in its engine's queue");
    }

    [Test]
    public async Task ReleaseHeldByEndedInstances_LeavesEachTaskAsTheDomainWould_OnlyThoseOfEndedInstances()
    {
        var engine = NewEngine("e", desired: 2);
        var host = Host.Register(Guid.CreateVersion7(), new HostRegistration("m", "h", ["10.0.0.1"], "1", new Dictionary<string, string>(), new Resources(8000, 8192, 0, 0), []), T0);
        var ended = EngineInstance.Launch(Guid.CreateVersion7(), engine, host.Id, [], Guid.NewGuid(), T0);
        var running = EngineInstance.Launch(Guid.CreateVersion7(), engine, host.Id, [], Guid.NewGuid(), T0);
        ended.MarkLost(T0.AddSeconds(5));
        var retry = NewTask(engine, maxAttempts: 3);
        var last = NewTask(engine, maxAttempts: 1);
        var kept = NewTask(engine, maxAttempts: 3);
        retry.Lease(ended.Id, T0);
        last.Lease(ended.Id, T0);
        kept.Lease(running.Id, T0);
        var now = T0.AddSeconds(10);

        var result = await EndAttemptsAsync([engine, host, ended, running], [retry, last, kept],
            r => r.ReleaseHeldByEndedInstancesAsync(now, 10, CancellationToken.None), t => t.InstanceId == ended.Id && t.Abandon(now));

        Assert.That((result.Found, result.Changed), Is.EqualTo((2, 2)));
        Assert.That(result.Requeued, Is.EqualTo(new Dictionary<Guid, int> { [engine.Id] = 1 }));
    }

    /// <summary>
    /// Stores the rows, runs the set-based step, and compares every task with what the domain's own transition leaves on
    /// a copy read before (<paramref name="domain"/> returns false for a task it leaves alone).
    /// </summary>
    private async Task<EndedAttempts> EndAttemptsAsync(object[] rows, WorkTask[] tasks,
        Func<TaskRepository, Task<EndedAttempts>> step, Func<WorkTask, bool> domain)
    {
        await using (var db = _database.CreateContext())
        {
            db.AddRange(rows);
            db.Tasks.AddRange(tasks);
            await db.SaveChangesAsync();
        }

        List<WorkTask> expected;
        await using (var db = _database.CreateContext())
        {
            expected = await db.Tasks.AsNoTracking().Where(t => tasks.Select(x => x.Id).Contains(t.Id)).ToListAsync();
        }

        var changedByDomain = expected.ToDictionary(t => t.Id, domain);
        EndedAttempts result;
        await using (var db = _database.CreateContext())
        {
            result = await step(new TaskRepository(db, new SingleWriterGate()));
        }

        await using (var db = _database.CreateContext())
        {
            var actual = await db.Tasks.AsNoTracking().Where(t => tasks.Select(x => x.Id).Contains(t.Id)).ToDictionaryAsync(t => t.Id);
            foreach (var task in expected)
            {
                var row = actual[task.Id];
                Assert.That((row.State, row.Error, row.LeaseExpiresAt, row.FinishedAt, row.UpdatedAt, row.Attempts, row.InstanceId),
                    Is.EqualTo((task.State, task.Error, task.LeaseExpiresAt, task.FinishedAt, task.UpdatedAt, task.Attempts, task.InstanceId)),
                    $"task with {task.MaxAttempts} attempt(s), {task.State}");
                Assert.That(row.Version, Is.EqualTo(task.Version + (changedByDomain[task.Id] ? 1 : 0)));
            }
        }

        return result;
    }

    [Test]
    public async Task ClaimOnPostgres_WalksTheClaimIndexInOrder_WhenTheStatisticsKnowNothingOfTheEngine()
    {
        Assume.That(_database.Provider, Is.EqualTo("Postgres"), "PostgreSQL's planner");
        var engine = NewEngine("e");
        var tasks = Enumerable.Range(0, 200)
            .Select(i => WorkTask.Submit(Guid.CreateVersion7(), new TaskSpec(engine.Id, "{}", i % 3, 3, 60, null), T0.AddSeconds(i)))
            .ToList();
        await using (var db = _database.CreateContext())
        {
            db.Engines.Add(engine);
            db.Tasks.AddRange(tasks);
            await db.SaveChangesAsync();
        }

        // A table never analyzed: the planner guesses a handful of rows for the engine, where a sort looks cheap.
        await using (var db = _database.CreateContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            var claimed = await new TaskRepository(db, new SingleWriterGate()).ClaimQueuedAsync(engine.Id, 5, CancellationToken.None);
            Assert.That(claimed.Select(t => t.Id), Is.EqualTo(tasks.OrderByDescending(t => t.Priority).ThenBy(t => t.CreatedAt).Take(5).Select(t => t.Id)),
                "highest priority first, oldest first within it");

            var plan = await db.Database.SqlQuery<string>($"""
                EXPLAIN SELECT * FROM "Tasks" WHERE "EngineId" = {engine.Id} AND "State" = 'Queued'
                ORDER BY "Priority" DESC, "CreatedAt", "Id" LIMIT 5 FOR UPDATE SKIP LOCKED
                """).ToListAsync();
            Assert.That(string.Join("\n", plan), Does.Contain("IX_Tasks_Claim").And.Not.Contain("Sort"),
                "in the claim's transaction the queue is read in the claim index's order, never collected and sorted");
        }
    }
}
