using Controller.Domain.Audit;
using Controller.Domain.Common;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Controller.Domain.Events;
using Controller.Domain.Hosts;
using Controller.Domain.Tokens;
using Controller.Domain.Work;
using Controller.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Controller.Infrastructure.Tests.Persistence;

/// <summary>
/// Retention per table against a real database (SQLite, and PostgreSQL in its pass): rows past the cutoff go, newer
/// ones stay, and nothing a live row still refers to is deleted.
/// </summary>
public sealed class RetentionStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Cutoff = T0.AddHours(10);
    private TestDatabase _database = null!;

    [SetUp]
    public void SetUp() => _database = new TestDatabase();

    [TearDown]
    public void TearDown() => _database.Dispose();

    private static Engine NewEngine(string name) =>
        Engine.Create(Guid.CreateVersion7(), new EngineSpec(name, "i", new Resources(100, 64, 0, 0), 0, 0, 10, 10, new Dictionary<string, string>()), T0);

    private static Host NewHost(string machineId) =>
        Host.Register(Guid.CreateVersion7(), new HostRegistration(machineId, machineId, ["10.0.0.1"], "1", new Dictionary<string, string>(), new Resources(8000, 8192, 0, 0), []), T0);

    private static byte[] Hash() => Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).ToArray();

    private async Task SaveAsync(params object[] entities)
    {
        await using var db = _database.CreateContext();
        db.AddRange(entities);
        await db.SaveChangesAsync();
    }

    private async Task<int> RunAsync(Func<RetentionStore, Task<int>> delete)
    {
        await using var db = _database.CreateContext();
        return await delete(new RetentionStore(db, new SingleWriterGate()));
    }

    private async Task<HashSet<Guid>> IdsAsync<T>(Func<ControllerDbContext, IQueryable<T>> set, Func<T, Guid> id)
        where T : class
    {
        await using var db = _database.CreateContext();
        return [.. (await set(db).AsNoTracking().ToListAsync()).Select(id)];
    }

    [Test]
    public async Task FinishedTasks_OlderThanTheCutoff_Go_InBatches_QueuedLeasedAndNewerStay()
    {
        var engine = NewEngine("e");
        var old = Enumerable.Range(0, 7).Select(_ => Task(engine, finishedAt: T0.AddHours(1))).ToList();
        var recent = Task(engine, finishedAt: Cutoff.AddHours(1));
        var queued = WorkTask.Submit(Guid.CreateVersion7(), new TaskSpec(engine.Id, "{}", 0, 3, 60, null), T0);
        var leased = WorkTask.Submit(Guid.CreateVersion7(), new TaskSpec(engine.Id, "{}", 0, 3, 60, null), T0);
        leased.Lease(Guid.NewGuid(), T0);
        await SaveAsync([engine, .. old, recent, queued, leased]);

        Assert.That(await RunAsync(s => s.DeleteFinishedTasksAsync(Cutoff, 5, CancellationToken.None)), Is.EqualTo(5), "one batch");
        Assert.That(await RunAsync(s => s.DeleteFinishedTasksAsync(Cutoff, 5, CancellationToken.None)), Is.EqualTo(2));
        Assert.That(await RunAsync(s => s.DeleteFinishedTasksAsync(Cutoff, 5, CancellationToken.None)), Is.Zero);
        Assert.That(await IdsAsync(db => db.Tasks, t => t.Id), Is.EquivalentTo(new[] { recent.Id, queued.Id, leased.Id }));
    }

    private static WorkTask Task(Engine engine, DateTimeOffset finishedAt)
    {
        var task = WorkTask.Submit(Guid.CreateVersion7(), new TaskSpec(engine.Id, "{}", 0, 3, 60, null), T0);
        var instance = Guid.NewGuid();
        task.Lease(instance, finishedAt.AddSeconds(-1));
        task.Complete(instance, TaskOutcome.Succeeded, "{}", null, finishedAt);
        return task;
    }

    [Test]
    public async Task Events_OlderThanTheCutoff_OrBeyondTheCount_Go()
    {
        await SaveAsync([.. Enumerable.Range(0, 10).Select(i => (object)ClusterEvent.Create(ClusterEventTypes.HostLost, T0.AddHours(i * 2), $"#{i}"))]);

        // Older than 10 h: #0–#4. Then all but the newest 3.
        Assert.That(await RunAsync(s => s.DeleteEventsAsync(Cutoff, keep: 100, batch: 100, CancellationToken.None)), Is.EqualTo(5));
        Assert.That(await RunAsync(s => s.DeleteEventsAsync(T0, keep: 3, batch: 100, CancellationToken.None)), Is.EqualTo(2));
        await using var db = _database.CreateContext();
        Assert.That(await db.Events.OrderBy(e => e.Sequence).Select(e => e.Message).ToListAsync(), Is.EqualTo(new[] { "#7", "#8", "#9" }));
    }

    [Test]
    public async Task EndedInstances_GoWithTheirTokens_LiveRecentAndTaskHoldingOnesStay()
    {
        var engine = NewEngine("e");
        var host = NewHost("m");
        EngineInstance Launch() => EngineInstance.Launch(Guid.CreateVersion7(), engine, host.Id, [], Guid.NewGuid(), T0);
        var stopped = Launch();
        stopped.ContainerExited(0, T0.AddHours(1));
        var lost = Launch();
        lost.MarkLost(T0.AddHours(2));
        var holding = Launch();
        holding.ContainerExited(1, T0.AddHours(1));
        var recent = Launch();
        recent.ContainerExited(0, Cutoff.AddHours(1));
        var running = Launch();
        var task = WorkTask.Submit(Guid.CreateVersion7(), new TaskSpec(engine.Id, "{}", 0, 3, 60, null), T0);
        task.Lease(holding.Id, T0);
        var stoppedToken = Token.IssueForEngineInstance(Guid.CreateVersion7(), stopped.Id, "e", Hash(), T0);
        var runningToken = Token.IssueForEngineInstance(Guid.CreateVersion7(), running.Id, "e", Hash(), T0);
        await SaveAsync(engine, host, stopped, lost, holding, recent, running, task, stoppedToken, runningToken);

        Assert.That(await RunAsync(s => s.DeleteEndedInstancesAsync(Cutoff, 100, CancellationToken.None)), Is.EqualTo(2));
        Assert.That(await IdsAsync(db => db.EngineInstances, i => i.Id), Is.EquivalentTo(new[] { holding.Id, recent.Id, running.Id }),
            "the one still holding a task waits for the task sweep to release it");
        Assert.That(await IdsAsync(db => db.Tokens, t => t.Id), Is.EquivalentTo(new[] { runningToken.Id }));
    }

    [Test]
    public async Task GoneHosts_GoWithTheirReportAndTokens_OnceNoInstanceNamesThem()
    {
        var engine = NewEngine("e");
        var terminated = NewHost("terminated");
        terminated.Terminate(T0.AddHours(1));
        terminated.CompleteTermination(T0.AddHours(1));
        var lost = NewHost("lost");
        lost.MarkLost(T0.AddHours(1));
        var lostWithInstance = NewHost("lost-with-instance");
        lostWithInstance.MarkLost(T0.AddHours(1));
        var recentlyLost = NewHost("recent");
        recentlyLost.MarkLost(Cutoff.AddHours(1));
        var active = NewHost("active");
        var instance = EngineInstance.Launch(Guid.CreateVersion7(), engine, lostWithInstance.Id, [], Guid.NewGuid(), T0);
        instance.MarkLost(T0.AddHours(1));
        var terminatedToken = Token.IssueForHost(Guid.CreateVersion7(), terminated.Id, "terminated", Hash(), T0);
        var activeToken = Token.IssueForHost(Guid.CreateVersion7(), active.Id, "active", Hash(), T0);
        await SaveAsync(engine, terminated, lost, lostWithInstance, recentlyLost, active, instance, terminatedToken, activeToken);

        Assert.That(await RunAsync(s => s.DeleteGoneHostsAsync(Cutoff, 100, CancellationToken.None)), Is.EqualTo(2));
        Assert.That(await IdsAsync(db => db.Hosts, h => h.Id), Is.EquivalentTo(new[] { lostWithInstance.Id, recentlyLost.Id, active.Id }));
        Assert.That(await IdsAsync(db => db.HostStatus, s => s.HostId), Is.EquivalentTo(new[] { lostWithInstance.Id, recentlyLost.Id, active.Id }));
        Assert.That(await IdsAsync(db => db.Tokens, t => t.Id), Is.EquivalentTo(new[] { activeToken.Id }));
    }

    [Test]
    public async Task DeadTokens_RevokedOrExpiredBeforeTheCutoff_Go()
    {
        var revoked = Token.IssueForAdmin(Guid.CreateVersion7(), TokenKind.Viewer, "revoked", Hash(), T0, null);
        revoked.Revoke(T0.AddHours(1));
        var expired = Token.IssueForAdmin(Guid.CreateVersion7(), TokenKind.Client, "expired", Hash(), T0, T0.AddHours(2));
        var recentlyRevoked = Token.IssueForAdmin(Guid.CreateVersion7(), TokenKind.Viewer, "recent", Hash(), T0, null);
        recentlyRevoked.Revoke(Cutoff.AddHours(1));
        var valid = Token.IssueForAdmin(Guid.CreateVersion7(), TokenKind.Admin, "valid", Hash(), T0, Cutoff.AddDays(1));
        await SaveAsync(revoked, expired, recentlyRevoked, valid);

        Assert.That(await RunAsync(s => s.DeleteDeadTokensAsync(Cutoff, 100, CancellationToken.None)), Is.EqualTo(2));
        Assert.That(await IdsAsync(db => db.Tokens, t => t.Id), Is.EquivalentTo(new[] { recentlyRevoked.Id, valid.Id }));
    }

    [Test]
    public async Task Audit_OlderThanTheCutoff_Goes()
    {
        var old = AuditEntry.Record(Guid.CreateVersion7(), T0, Guid.NewGuid(), "ops", "POST /engine", 201);
        var recent = AuditEntry.Record(Guid.CreateVersion7(), Cutoff.AddMinutes(1), Guid.NewGuid(), "ops", "DELETE /engine/x", 204);
        await SaveAsync(old, recent);

        Assert.That(await RunAsync(s => s.DeleteAuditAsync(Cutoff, 100, CancellationToken.None)), Is.EqualTo(1));
        Assert.That(await IdsAsync(db => db.Set<AuditEntry>(), e => e.Id), Is.EquivalentTo(new[] { recent.Id }));
    }

    [Test]
    public async Task DeletedEngines_Go_WithTheirRevisions_OnceNoInstanceOrTaskNamesThem_LiveAndDeletingOnesStay()
    {
        var gone = NewEngine("gone");
        gone.Delete(T0);
        gone.CompleteDeletion(T0.AddHours(1));
        var named = NewEngine("named");
        var host = NewHost("m");
        var instance = EngineInstance.Launch(Guid.CreateVersion7(), named, host.Id, [], Guid.NewGuid(), T0);
        instance.ContainerExited(0, T0);
        named.ReleaseInstance(instance.Revision);
        named.Delete(T0);
        named.CompleteDeletion(T0.AddHours(1));
        var deleting = NewEngine("deleting");
        deleting.Delete(T0);
        var live = NewEngine("live");
        await SaveAsync(gone, named, deleting, live, host, instance, EngineRevision.Of(gone, T0), EngineRevision.Of(live, T0));

        Assert.That(await RunAsync(s => s.DeleteDeletedEnginesAsync(Cutoff, 100, CancellationToken.None)), Is.EqualTo(1));
        Assert.That(await IdsAsync(db => db.Engines, e => e.Id), Is.EquivalentTo(new[] { named.Id, deleting.Id, live.Id }));
        Assert.That(await IdsAsync(db => db.EngineRevisions, r => r.EngineId), Is.EquivalentTo(new[] { live.Id }), "a deleted engine's revisions go with it");
    }
}
