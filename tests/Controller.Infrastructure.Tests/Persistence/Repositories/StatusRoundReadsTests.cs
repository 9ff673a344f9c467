using Controller.Domain.Common;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Controller.Domain.Hosts;
using Controller.Infrastructure.Persistence;
using Controller.Infrastructure.Persistence.Repositories;

namespace Controller.Infrastructure.Tests.Persistence.Repositories;

/// <summary>The reads of a status round (one host, compiled) and of a batch of them (many hosts, one query each) against a real database.</summary>
public sealed class StatusRoundReadsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private TestDatabase _database = null!;
    private Host _a = null!;
    private Host _b = null!;
    private Host _idle = null!;
    private Engine _engine = null!;
    private Dictionary<string, EngineInstance> _instances = null!;

    [SetUp]
    public async Task SetUp()
    {
        _database = new TestDatabase();
        _a = NewHost("a");
        _b = NewHost("b");
        _idle = NewHost("idle");
        _engine = Engine.Create(Guid.CreateVersion7(), new EngineSpec("e", "i", new Resources(100, 64, 0, 0), 0, 0, 10, 4, new Dictionary<string, string>()), T0);
        var pending = Launch(_a);
        var running = Launch(_a);
        running.ContainerSeen("c1", T0);
        running.Register(T0);
        var stopping = Launch(_b);
        stopping.RequestStop("scaled_down", T0);
        var stopped = Launch(_b);
        stopped.ContainerSeen("c2", T0);
        stopped.ContainerExited(0, T0);
        _instances = new() { ["pending"] = pending, ["running"] = running, ["stopping"] = stopping, ["stopped"] = stopped };

        await using var db = _database.CreateContext();
        db.Hosts.AddRange(_a, _b, _idle);
        db.Engines.Add(_engine);
        db.EngineInstances.AddRange(_instances.Values);
        await db.SaveChangesAsync();
    }

    [TearDown]
    public void TearDown() => _database.Dispose();

    [Test]
    public async Task OneHost_ItsRowAndTheInstancesThatHoldResources()
    {
        await using var db = _database.CreateContext();
        var hosts = new HostRepository(db, new SingleWriterGate());
        var instances = new EngineInstanceRepository(db);

        Assert.That((await hosts.FindAsync(_a.Id, CancellationToken.None))?.Hostname, Is.EqualTo("a"));
        Assert.That(await hosts.FindAsync(Guid.NewGuid(), CancellationToken.None), Is.Null);
        Assert.That((await instances.ListHoldingForHostAsync(_a.Id, CancellationToken.None)).Select(i => i.Id),
            Is.EquivalentTo(new[] { _instances["pending"].Id, _instances["running"].Id }));
        Assert.That((await instances.ListHoldingForHostAsync(_b.Id, CancellationToken.None)).Select(i => i.Id),
            Is.EquivalentTo(new[] { _instances["stopping"].Id }), "a stopped copy holds nothing");
        Assert.That((await new EngineRepository(db).ListLiveForUpdateAsync(CancellationToken.None)).Select(e => e.Id), Is.EqualTo(new[] { _engine.Id }));
    }

    [Test]
    public async Task ManyHosts_OneReadEach_TrackedForTheBatchToSave()
    {
        await using (var db = _database.CreateContext())
        {
            var ids = new[] { _a.Id, _b.Id, _idle.Id, Guid.NewGuid() };
            var hosts = await new HostRepository(db, new SingleWriterGate()).ListAsync(ids, CancellationToken.None);
            var live = await new EngineInstanceRepository(db).ListHoldingForHostsAsync(ids, CancellationToken.None);

            Assert.That(hosts.Select(h => h.Hostname), Is.EquivalentTo(new[] { "a", "b", "idle" }), "an unknown id is left out");
            Assert.That(live.Select(i => i.Id), Is.EquivalentTo(new[] { _instances["pending"].Id, _instances["running"].Id, _instances["stopping"].Id }));

            // Tracked: what a batch changes on them is saved.
            live.Single(i => i.Id == _instances["running"].Id).RequestStop("scaled_down", T0);
            await db.SaveChangesAsync();
        }

        await using (var db = _database.CreateContext())
        {
            var again = await new EngineInstanceRepository(db).FindAsync(_instances["running"].Id, CancellationToken.None);
            Assert.That(again!.State, Is.EqualTo(EngineInstanceState.Stopping));
        }
    }

    private static Host NewHost(string name) =>
        Host.Register(Guid.CreateVersion7(), new HostRegistration("m-" + name, name, ["10.0.0.1"], "1", new Dictionary<string, string>(), new Resources(4000, 4096, 0, 0), []), T0);

    private EngineInstance Launch(Host host) => EngineInstance.Launch(Guid.CreateVersion7(), _engine, host.Id, [], Guid.NewGuid(), T0);

    [Test]
    public async Task HealthyCopies_AreCountedFromTheRows_AndAsThisUnitOfWorkChangedThem()
    {
        // "running" registered at T0: healthy as of T0, not as of a moment before it.
        await using var db = _database.CreateContext();
        var instances = new EngineInstanceRepository(db);
        Assert.That((await instances.CountHealthyAsync(new Dictionary<Guid, DateTimeOffset> { [_engine.Id] = T0 }, CancellationToken.None))[_engine.Id], Is.EqualTo(1));
        Assert.That((await instances.CountHealthyAsync(new Dictionary<Guid, DateTimeOffset> { [_engine.Id] = T0.AddSeconds(-1) }, CancellationToken.None))[_engine.Id], Is.Zero);

        // A round earlier in the same batch stopped the running copy and started the pending one: not saved yet.
        var tracked = (await instances.ListHoldingForHostAsync(_a.Id, CancellationToken.None)).ToDictionary(i => i.Id);
        tracked[_instances["running"].Id].RequestStop("rolling_update", T0.AddSeconds(10));
        tracked[_instances["pending"].Id].ContainerSeen("c3", T0);
        tracked[_instances["pending"].Id].Register(T0);
        var counts = await instances.CountHealthyAsync(new Dictionary<Guid, DateTimeOffset> { [_engine.Id] = T0.AddSeconds(10) }, CancellationToken.None);
        Assert.That(counts[_engine.Id], Is.EqualTo(1), "the stopped copy no longer counts, the one that became running does");
    }
}
