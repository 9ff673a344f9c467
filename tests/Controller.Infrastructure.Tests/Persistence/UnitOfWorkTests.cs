using Controller.Application.Common.Exceptions;
using Controller.Domain.Common;
using Controller.Domain.Hosts;
using Controller.Infrastructure.Persistence;
using Controller.Infrastructure.Persistence.Repositories;

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
    public async Task SaveChanges_SecondLiveHostWithSameMachineId_ThrowsUniqueViolation()
    {
        await using (var db = _database.CreateContext())
        {
            new HostRepository(db, new NoWriteGate()).Add(NewHost("m-1"));
            await new UnitOfWork(db, new SingleWriterGate(), new EventSignal()).SaveChangesAsync(CancellationToken.None);
        }

        await using var second = _database.CreateContext();
        new HostRepository(second, new NoWriteGate()).Add(NewHost("m-1"));

        Assert.ThrowsAsync<UniqueConstraintViolationException>(() => new UnitOfWork(second, new SingleWriterGate(), new EventSignal()).SaveChangesAsync(CancellationToken.None));
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
            await new UnitOfWork(db, new SingleWriterGate(), new EventSignal()).SaveChangesAsync(CancellationToken.None);
        }

        await using var second = _database.CreateContext();
        new HostRepository(second, new NoWriteGate()).Add(NewHost("m-1"));
        await new UnitOfWork(second, new SingleWriterGate(), new EventSignal()).SaveChangesAsync(CancellationToken.None);

        Assert.That(await new HostRepository(second, new NoWriteGate()).FindLiveByMachineIdAsync("m-1", CancellationToken.None), Is.Not.Null);
    }

    [Test]
    public async Task SaveChanges_StaleVersion_ThrowsConcurrencyConflict()
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
        copyA!.Drain(Now, null);
        copyB!.Terminate(Now);
        await new UnitOfWork(a, new SingleWriterGate(), new EventSignal()).SaveChangesAsync(CancellationToken.None);

        Assert.ThrowsAsync<ConcurrencyConflictException>(() => new UnitOfWork(b, new SingleWriterGate(), new EventSignal()).SaveChangesAsync(CancellationToken.None));
    }

    [Test]
    public async Task Host_RoundTripsCollectionsAndResources()
    {
        var host = Host.Register(Guid.CreateVersion7(), new HostRegistration("m-2", "w", ["10.0.0.1", "10.0.0.2"], "1",
            new Dictionary<string, string> { ["zone"] = "b" }, new Resources(1000, 1024, 2, 10), [new GpuDevice(3, "A10", 24576), new GpuDevice(5, null, null)]), Now);
        host.RecordStatus(new Resources(1, 2, 1, 3), "{}", Now.AddSeconds(5));
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
}
