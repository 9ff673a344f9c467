using Controller.Domain.Common;
using Controller.Domain.Engines;
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

    private static Engine NewEngine(string name) =>
        Engine.Create(Guid.CreateVersion7(), new EngineSpec(name, "i", new Resources(100, 64, 0, 0), 0, 0, 4, 0, new Dictionary<string, string>()), T0);

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
}
