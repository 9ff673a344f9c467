using Controller.Application.Common.Interfaces;
using Controller.Application.Hosts.FastPath;
using Controller.Domain.Common;
using Controller.Domain.Events;
using Controller.Domain.Hosts;
using Controller.Infrastructure.Persistence;
using Controller.Infrastructure.Persistence.Repositories;

namespace Controller.Infrastructure.Tests.Persistence;

/// <summary>The feed's store: events raised by an aggregate are saved with it; reading by cursor and filter (retention: RetentionStoreTests).</summary>
public sealed class EventLogTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private TestDatabase _database = null!;

    [SetUp]
    public void SetUp() => _database = new TestDatabase();

    [TearDown]
    public void TearDown() => _database.Dispose();

    private static Host NewHost(string machineId, DateTimeOffset at) =>
        Host.Register(Guid.CreateVersion7(), new HostRegistration(machineId, "w", ["10.0.0.1"], "1", new Dictionary<string, string>(), new Resources(1000, 1024, 0, 10), []), at);

    private async Task AddAsync(params ClusterEvent[] events)
    {
        await using var db = _database.CreateContext();
        var log = new EventLog(db);
        foreach (var e in events)
        {
            log.Add(e);
        }

        await new UnitOfWork(db, new SingleWriterGate(), new EventSignal(), new RecordingClusterChanges(), new LastSeenBuffer(), new RecordingWorkSignal()).SaveChangesAsync(CancellationToken.None);
    }

    [Test]
    public async Task SavingAnAggregate_StoresItsEvents_AndWakesFollowers()
    {
        var signal = new EventSignal();
        var woken = signal.NextNotification();
        var host = NewHost("m-1", T0);
        host.Drain(T0, null, Host.DefaultDrainDeadline);
        await using (var db = _database.CreateContext())
        {
            new HostRepository(db, new NoWriteGate()).Add(host);
            await new UnitOfWork(db, new SingleWriterGate(), signal, new RecordingClusterChanges(), new LastSeenBuffer(), new RecordingWorkSignal()).SaveChangesAsync(CancellationToken.None);
        }

        await using var read = _database.CreateContext();
        var stored = await new EventLog(read).ListAsync(EventFilter.All, 0, 10, CancellationToken.None);
        Assert.That(stored.Select(e => (e.Type, e.HostId)), Is.EqualTo(new[] { (ClusterEventTypes.HostRegistered, (Guid?)host.Id), (ClusterEventTypes.HostDraining, host.Id) }));
        Assert.That(woken.IsCompleted, Is.True);
        Assert.That(host.PeekEvents(), Is.Empty, "taken by the save");
    }

    [Test]
    public async Task List_WithoutCursor_IsTheLatestInOrder_WithCursor_WhatFollows_Filtered()
    {
        var host = Guid.NewGuid();
        await AddAsync([.. Enumerable.Range(0, 6).Select(i => ClusterEvent.Create(i % 2 == 0 ? ClusterEventTypes.HostLost : ClusterEventTypes.HostBack, T0, $"#{i}", hostId: i < 4 ? host : null))]);

        await using var db = _database.CreateContext();
        var log = new EventLog(db);
        var latest = await log.ListAsync(EventFilter.All, null, 2, CancellationToken.None);
        var after = await log.ListAsync(EventFilter.All, latest[0].Sequence - 3, 2, CancellationToken.None);
        var lostOfHost = await log.ListAsync(EventFilter.Of([ClusterEventTypes.HostLost], host, null, null), 0, 10, CancellationToken.None);

        Assert.That(latest.Select(e => e.Message), Is.EqualTo(new[] { "#4", "#5" }));
        Assert.That(after.Select(e => e.Message), Is.EqualTo(new[] { "#2", "#3" }));
        Assert.That(lostOfHost.Select(e => e.Message), Is.EqualTo(new[] { "#0", "#2" }));
    }

    [Test]
    public async Task AReader_WaitsForAWriterInFlight_ThenSeesItsEventBeforeTheOneCommittedFirst()
    {
        if (_database.Provider != "Postgres")
        {
            Assert.Ignore("SQLite has one writer, which commits in the order it numbers: there is nothing to wait for.");
        }

        // A takes the lower number and stays open; B takes the next and commits first.
        await using var a = _database.CreateContext();
        await using var open = await a.Database.BeginTransactionAsync();
        a.Events.Add(ClusterEvent.Create(ClusterEventTypes.HostLost, T0, "A"));
        await a.SaveChangesAsync();
        await AddAsync(ClusterEvent.Create(ClusterEventTypes.HostLost, T0, "B"));

        await using var read = _database.CreateContext();
        var reading = new EventLog(read).ListAsync(EventFilter.All, 0, 10, CancellationToken.None);
        var early = await Task.WhenAny(reading, Task.Delay(TimeSpan.FromMilliseconds(500))) == reading;
        await open.CommitAsync();
        var seen = await reading;

        Assert.That(early, Is.False, "the reader waited for the writer in flight");
        Assert.That(seen.Select(e => e.Message), Is.EqualTo(new[] { "A", "B" }), "B was not handed out before A, which has the lower number");
    }
}
