using System.Data;
using Controller.Application.Common.Exceptions;
using Controller.Application.Hosts.FastPath;
using Controller.Domain.Common;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Controller.Domain.Hosts;
using Controller.Domain.Work;
using Controller.Infrastructure.Persistence;
using Controller.Infrastructure.Persistence.Repositories;
using Microsoft.EntityFrameworkCore;

namespace Controller.Infrastructure.Tests.Persistence;

public sealed class UnitOfWorkTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private TestDatabase _database = null!;

    [SetUp]
    public void SetUp() => _database = new TestDatabase();

    [TearDown]
    public void TearDown() => _database.Dispose();

    private static Host NewHost(string machineId) =>
        Host.Register(Guid.CreateVersion7(), new HostRegistration(machineId, "w", ["10.0.0.1"], "1", new Dictionary<string, string> { ["a"] = "b" }, new Resources(1000, 1024, 1, 10), []), Now);

    [Test]
    public async Task ALeaseToACopyStoppedMeanwhile_FailsTheSave_TheTaskStaysQueued()
    {
        var engine = Engine.Create(Guid.CreateVersion7(), new EngineSpec("e", "i", new Resources(100, 64, 0, 0), 0, 0, 4, 1, new Dictionary<string, string>()), Now);
        var host = NewHost("m");
        var copy = EngineInstance.Launch(Guid.CreateVersion7(), engine, host.Id, [], Guid.NewGuid(), Now);
        copy.Register(Now);
        var task = Domain.Work.WorkTask.Submit(Guid.CreateVersion7(), new Domain.Work.TaskSpec(engine.Id, "{}", 0, 1, 60, null), Now);
        await using (var db = _database.CreateContext())
        {
            db.AddRange(engine, host, copy, task);
            await db.SaveChangesAsync();
        }

        // A getwork reads the running copy and the queued task...
        await using var getwork = _database.CreateContext();
        var running = await getwork.EngineInstances.SingleAsync(i => i.Id == copy.Id);
        var queued = await getwork.Tasks.SingleAsync(t => t.Id == task.Id);

        // ...a scale-down stops the copy and commits...
        await using (var db = _database.CreateContext())
        {
            (await db.EngineInstances.SingleAsync(i => i.Id == copy.Id)).RequestStop("scaled_down", Now.AddSeconds(1));
            await new UnitOfWork(db, new SingleWriterGate(), new EventSignal(), new RecordingClusterChanges(), new LastSeenBuffer(), new RecordingWorkSignal()).SaveChangesAsync(CancellationToken.None);
        }

        // ...then the getwork leases the task to it, writing the copy's heartbeat as a call handed work does (no resolution).
        queued.Lease(running.Id, Now.AddSeconds(2));
        running.Heartbeat(busy: true, Now.AddSeconds(2));
        Assert.ThrowsAsync<ConcurrencyConflictException>(() =>
            new UnitOfWork(getwork, new SingleWriterGate(), new EventSignal(), new RecordingClusterChanges(), new LastSeenBuffer(), new RecordingWorkSignal()).SaveChangesAsync(CancellationToken.None));

        await using var read = _database.CreateContext();
        Assert.That((await read.Tasks.SingleAsync(t => t.Id == task.Id)).State, Is.EqualTo(Domain.Work.WorkTaskState.Queued), "no attempt burned");
    }

    [Test]
    public async Task SaveChanges_SecondLiveHostWithSameMachineId_ThrowsUniqueViolation()
    {
        await using (var db = _database.CreateContext())
        {
            new HostRepository(db, new NoWriteGate()).Add(NewHost("m-1"));
            await new UnitOfWork(db, new SingleWriterGate(), new EventSignal(), new RecordingClusterChanges(), new LastSeenBuffer(), new RecordingWorkSignal()).SaveChangesAsync(CancellationToken.None);
        }

        await using var second = _database.CreateContext();
        new HostRepository(second, new NoWriteGate()).Add(NewHost("m-1"));

        Assert.ThrowsAsync<UniqueConstraintViolationException>(() => new UnitOfWork(second, new SingleWriterGate(), new EventSignal(), new RecordingClusterChanges(), new LastSeenBuffer(), new RecordingWorkSignal()).SaveChangesAsync(CancellationToken.None));
    }

    [Test]
    public async Task SaveChanges_TerminatedHostFreesItsMachineId()
    {
        var first = NewHost("m-1");
        first.Terminate(Now);
        first.CompleteTermination(Now);
        await using (var db = _database.CreateContext())
        {
            new HostRepository(db, new NoWriteGate()).Add(first);
            await new UnitOfWork(db, new SingleWriterGate(), new EventSignal(), new RecordingClusterChanges(), new LastSeenBuffer(), new RecordingWorkSignal()).SaveChangesAsync(CancellationToken.None);
        }

        await using var second = _database.CreateContext();
        new HostRepository(second, new NoWriteGate()).Add(NewHost("m-1"));
        await new UnitOfWork(second, new SingleWriterGate(), new EventSignal(), new RecordingClusterChanges(), new LastSeenBuffer(), new RecordingWorkSignal()).SaveChangesAsync(CancellationToken.None);

        Assert.That(await new HostRepository(second, new NoWriteGate()).FindLiveByMachineIdAsync("m-1", CancellationToken.None), Is.Not.Null);
    }

    [Test]
    public async Task AfterCommit_TheHookLearnsTheSavedHostsEnginesAndInstanceStateChanges_OncePerCommit()
    {
        var host = NewHost("m-1");
        var engine = Engine.Create(Guid.CreateVersion7(), new EngineSpec("e", "i", new Resources(100, 64, 0, 0), 0, 0, 4, 2, new Dictionary<string, string>()), Now);
        var instance = EngineInstance.Launch(Guid.CreateVersion7(), engine, host.Id, [], Guid.NewGuid(), Now);
        var hook = new RecordingClusterChanges();
        await using var db = _database.CreateContext();
        var unitOfWork = new UnitOfWork(db, new SingleWriterGate(), new EventSignal(), hook, new LastSeenBuffer(), new RecordingWorkSignal());
        db.AddRange(host, engine, instance);
        await unitOfWork.SaveChangesAsync(CancellationToken.None);

        Assert.That(hook.Commits, Has.Count.EqualTo(1));
        Assert.That(hook.Commits[0].Hosts, Is.EqualTo(new[] { host }));
        Assert.That(hook.Commits[0].Engines, Is.EqualTo(new[] { engine }));
        Assert.That(hook.Commits[0].HostsWithInstanceChanges, Is.EqualTo(new[] { host.Id }));

        // A heartbeat is not a change the view cares about; a state change is, with its host.
        instance.ContainerSeen("c1", Now);
        instance.Register(Now);
        await unitOfWork.SaveChangesAsync(CancellationToken.None);
        instance.Heartbeat(busy: true, Now.AddSeconds(30));
        await unitOfWork.SaveChangesAsync(CancellationToken.None);
        await unitOfWork.SaveChangesAsync(CancellationToken.None);

        Assert.That(hook.Commits, Has.Count.EqualTo(2), "a save of a heartbeat alone, and a save of nothing, announce nothing");
        Assert.That(hook.Commits[1].HostsWithInstanceChanges, Is.EqualTo(new[] { host.Id }));
        Assert.That(hook.Commits[1].Hosts, Is.Empty);
    }

    [Test]
    public async Task AfterCommit_HeldCallsAreToldOfQueuedTasks_CopiesLeaving_AndHostsThatTakeNoWork_NothingElse()
    {
        var host = NewHost("m-1");
        var engine = Engine.Create(Guid.CreateVersion7(), new EngineSpec("e", "i", new Resources(100, 64, 0, 0), 0, 0, 4, 2, new Dictionary<string, string>()), Now);
        var instance = EngineInstance.Launch(Guid.CreateVersion7(), engine, host.Id, [], Guid.NewGuid(), Now);
        var signal = new RecordingWorkSignal();
        await using var db = _database.CreateContext();
        var unitOfWork = new UnitOfWork(db, new SingleWriterGate(), new EventSignal(), new RecordingClusterChanges(), new LastSeenBuffer(), signal);
        db.AddRange(host, engine, instance);
        await unitOfWork.SaveChangesAsync(CancellationToken.None);
        Assert.That(signal.Sent, Is.Empty, "a new host, engine and copy concern no held call");

        var tasks = Enumerable.Range(0, 3).Select(_ => WorkTask.Submit(Guid.CreateVersion7(), new TaskSpec(engine.Id, "{}", 0, 3, 60, null), Now)).ToList();
        db.AddRange(tasks);
        await unitOfWork.SaveChangesAsync(CancellationToken.None);
        Assert.That(signal.Sent.Single().TasksQueued, Is.EqualTo(new Dictionary<Guid, int> { [engine.Id] = 3 }), "submitted");

        tasks[0].Lease(instance.Id, Now);
        await unitOfWork.SaveChangesAsync(CancellationToken.None);
        Assert.That(signal.Sent, Has.Count.EqualTo(1), "a lease wakes nobody");

        tasks[0].ExpireLease(Now.AddMinutes(5));
        await unitOfWork.SaveChangesAsync(CancellationToken.None);
        Assert.That(signal.Sent[^1].TasksQueued, Is.EqualTo(new Dictionary<Guid, int> { [engine.Id] = 1 }), "put back");

        host.Drain(Now, null, Host.DefaultDrainDeadline);
        instance.MarkLost(Now.AddMinutes(5));
        await unitOfWork.SaveChangesAsync(CancellationToken.None);
        Assert.That((signal.Sent[^1].Hosts, signal.Sent[^1].Engines), Is.EqualTo((new[] { host.Id }, new[] { engine.Id })), "a drain, a copy gone");
        Assert.That(signal.Sent[^1].TasksQueued, Is.Empty);
    }

    [Test]
    public async Task AfterCommit_InATransaction_OnlyOnceItCommitted_AndNothingOfOneThatFailed()
    {
        var host = NewHost("m-1");
        var hook = new RecordingClusterChanges();
        await using var db = _database.CreateContext();
        var unitOfWork = new UnitOfWork(db, new SingleWriterGate(), new EventSignal(), hook, new LastSeenBuffer(), new RecordingWorkSignal());
        db.Hosts.Add(host);

        await unitOfWork.InTransactionAsync(async ct =>
        {
            await unitOfWork.SaveChangesAsync(ct);
            Assert.That(hook.Commits, Is.Empty, "saved, not yet committed");
            return 0;
        }, CancellationToken.None);
        Assert.That(hook.Commits.Single().Hosts, Is.EqualTo(new[] { host }));

        host.Drain(Now, null, Host.DefaultDrainDeadline);
        Assert.ThrowsAsync<InvalidOperationException>(() => unitOfWork.InTransactionAsync<int>(async ct =>
        {
            await unitOfWork.SaveChangesAsync(ct);
            throw new InvalidOperationException("rolled back");
        }, CancellationToken.None));
        unitOfWork.Reset();
        await unitOfWork.SaveChangesAsync(CancellationToken.None);

        Assert.That(hook.Commits, Has.Count.EqualTo(1), "the rolled-back drain is never announced");
    }

    [Test]
    public async Task SaveChanges_StaleVersion_ThrowsConcurrencyConflict_AndAnnouncesNothing()
    {
        var host = NewHost("m-1");
        await using (var db = _database.CreateContext())
        {
            db.Hosts.Add(host);
            await db.SaveChangesAsync();
        }

        await using var a = _database.CreateContext();
        await using var b = _database.CreateContext();
        var copyA = await new HostRepository(a, new NoWriteGate()).FindAsync(host.Id, CancellationToken.None);
        var copyB = await new HostRepository(b, new NoWriteGate()).FindAsync(host.Id, CancellationToken.None);
        copyA!.Drain(Now, null, Host.DefaultDrainDeadline);
        copyB!.Terminate(Now);
        await new UnitOfWork(a, new SingleWriterGate(), new EventSignal(), new RecordingClusterChanges(), new LastSeenBuffer(), new RecordingWorkSignal()).SaveChangesAsync(CancellationToken.None);
        var hook = new RecordingClusterChanges();
        var loser = new UnitOfWork(b, new SingleWriterGate(), new EventSignal(), hook, new LastSeenBuffer(), new RecordingWorkSignal());

        Assert.ThrowsAsync<ConcurrencyConflictException>(() => loser.SaveChangesAsync(CancellationToken.None));
        loser.Reset();
        await loser.SaveChangesAsync(CancellationToken.None);
        Assert.That(hook.Commits, Is.Empty, "the after-commit hook learns nothing of a save that lost its race");
    }

    [Test]
    public async Task OnlyHostsSeen_TrueForAReportThatChangedOnlyTheTimes_FalseForAnyOtherChange()
    {
        var host = NewHost("m-3");
        host.RecordStatus(new Resources(500, 512, 0, 5), Now);
        await using (var db = _database.CreateContext())
        {
            new HostRepository(db, new NoWriteGate()).Add(host);
            await new UnitOfWork(db, new SingleWriterGate(), new EventSignal(), new RecordingClusterChanges(), new LastSeenBuffer(), new RecordingWorkSignal()).SaveChangesAsync(CancellationToken.None);
        }

        async Task<bool> After(Action<Host> change)
        {
            await using var db = _database.CreateContext();
            var loaded = (await new HostRepository(db, new NoWriteGate()).FindAsync(host.Id, CancellationToken.None))!;
            change(loaded);
            return new UnitOfWork(db, new SingleWriterGate(), new EventSignal(), new RecordingClusterChanges(), new LastSeenBuffer(), new RecordingWorkSignal()).OnlyHostsSeen();
        }

        var later = Now.AddSeconds(30);
        Assert.Multiple(async () =>
        {
            Assert.That(await After(_ => { }), Is.True, "nothing changed");
            Assert.That(await After(h => h.RecordStatus(new Resources(500, 512, 0, 5), later)), Is.True, "the same readings, later");
            Assert.That(await After(h => h.RecordStatus(new Resources(400, 512, 0, 5), later)), Is.False, "other free resources");
            Assert.That(await After(h => h.SetAllocated(new Resources(100, 0, 0, 0))), Is.False, "another allocation");
            Assert.That(await After(h => h.Drain(later, null, Host.DefaultDrainDeadline)), Is.False, "a state change (and its event)");
        });

        await using var other = _database.CreateContext();
        new HostRepository(other, new NoWriteGate()).Add(NewHost("m-4"));
        Assert.That(new UnitOfWork(other, new SingleWriterGate(), new EventSignal(), new RecordingClusterChanges(), new LastSeenBuffer(), new RecordingWorkSignal()).OnlyHostsSeen(), Is.False, "a new row");
    }

    [Test]
    public async Task Host_RoundTripsCollectionsAndResources()
    {
        var host = Host.Register(Guid.CreateVersion7(), new HostRegistration("m-2", "w", ["10.0.0.1", "10.0.0.2"], "1",
            new Dictionary<string, string> { ["zone"] = "b" }, new Resources(1000, 1024, 2, 10), [new GpuDevice(3, "A10", 24576), new GpuDevice(5, null, null)]), Now);
        host.RecordStatus(new Resources(1, 2, 1, 3), Now.AddSeconds(5));
        await using (var db = _database.CreateContext())
        {
            db.Hosts.Add(host);
            await db.SaveChangesAsync();
        }

        await using var read = _database.CreateContext();
        var loaded = await new HostRepository(read, new NoWriteGate()).FindAsync(host.Id, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(loaded!.IpAddresses, Is.EqualTo(new[] { "10.0.0.1", "10.0.0.2" }));
            Assert.That(loaded.Labels["zone"], Is.EqualTo("b"));
            Assert.That(loaded.Gpus.Select(g => g.Index), Is.EqualTo(new[] { 3, 5 }));
            Assert.That(loaded.Capacity, Is.EqualTo(new Resources(1000, 1024, 2, 10)));
            Assert.That(loaded.Available, Is.EqualTo(new Resources(1, 2, 1, 3)));
            Assert.That(loaded.LastSeenAt, Is.EqualTo(Now.AddSeconds(5)));
        });
    }

    [Test]
    public async Task ASaveOfOnlyWhenAHostWasSeen_WritesNothing_TheTimeGoesToTheBuffer_AnyOtherChangeIsWritten()
    {
        var host = NewHost("m-5");
        host.RecordStatus(new Resources(500, 512, 0, 5), Now);
        await using (var db = _database.CreateContext())
        {
            new HostRepository(db, new NoWriteGate()).Add(host);
            await new UnitOfWork(db, new SingleWriterGate(), new EventSignal(), new RecordingClusterChanges(), new LastSeenBuffer(), new RecordingWorkSignal()).SaveChangesAsync(CancellationToken.None);
        }

        async Task<(DateTimeOffset Stored, IReadOnlyDictionary<Guid, DateTimeOffset> Buffered)> SaveAfter(Action<Host> change)
        {
            var buffer = new LastSeenBuffer();
            await using (var db = _database.CreateContext())
            {
                change((await new HostRepository(db, new NoWriteGate()).FindAsync(host.Id, CancellationToken.None))!);
                await new UnitOfWork(db, new SingleWriterGate(), new EventSignal(), new RecordingClusterChanges(), buffer, new RecordingWorkSignal()).SaveChangesAsync(CancellationToken.None);
            }

            await using var read = _database.CreateContext();
            return ((await new HostRepository(read, new NoWriteGate()).FindAsync(host.Id, CancellationToken.None))!.LastSeenAt, buffer.Drain());
        }

        var later = Now.AddSeconds(30);
        var seen = await SaveAfter(h => h.RecordStatus(new Resources(500, 512, 0, 5), later));
        Assert.That(seen.Stored, Is.EqualTo(Now), "not written");
        Assert.That(seen.Buffered, Is.EqualTo(new Dictionary<Guid, DateTimeOffset> { [host.Id] = later }));

        var evenLater = later.AddSeconds(30);
        var changed = await SaveAfter(h => h.RecordStatus(new Resources(400, 512, 0, 5), evenLater));
        Assert.That(changed.Stored, Is.EqualTo(evenLater), "other free resources: written, with the time");
        Assert.That(changed.Buffered, Is.Empty);
    }
}
