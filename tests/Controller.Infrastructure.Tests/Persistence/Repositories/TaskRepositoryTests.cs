using Controller.Domain.Common;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Controller.Domain.Hosts;
using Controller.Domain.Work;
using Controller.Infrastructure.Persistence;
using Controller.Infrastructure.Persistence.Repositories;

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

    private static WorkTask NewTask(Engine engine) => WorkTask.Submit(Guid.CreateVersion7(), new TaskSpec(engine.Id, "{}", 0, 3, 60, null), T0);

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
    }
}
