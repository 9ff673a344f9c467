using Controller.Application.Common.Interfaces;
using Controller.Domain.Common;
using Controller.Domain.Hosts;
using Controller.Infrastructure.Persistence;
using Controller.Infrastructure.Persistence.Repositories;
using Microsoft.EntityFrameworkCore;

namespace Controller.Infrastructure.Tests.Persistence.Repositories;

/// <summary>The last report and answer of a host: kept outside the host row, written only when they change.</summary>
public sealed class HostRepositoryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private TestDatabase _database = null!;
    private Host _host = null!;

    [SetUp]
    public async Task SetUp()
    {
        _database = new TestDatabase();
        _host = Host.Register(Guid.CreateVersion7(), new HostRegistration("m-a", "a", ["10.0.0.1"], "1", new Dictionary<string, string>(), new Resources(4000, 4096, 0, 0), []), T0);
        await using var db = _database.CreateContext();
        new HostRepository(db, new SingleWriterGate()).Add(_host);
        await db.SaveChangesAsync();
    }

    [TearDown]
    public void TearDown() => _database.Dispose();

    [Test]
    public async Task NewHost_HasAnEmptyStatusRow_AndNoLastStatus()
    {
        await using var db = _database.CreateContext();

        Assert.That(await db.HostStatus.CountAsync(s => s.HostId == _host.Id && s.Report == null && s.Answer == null), Is.EqualTo(1));
        Assert.That(await new HostRepository(db, new SingleWriterGate()).LastStatusAsync(_host.Id, CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task RecordStatus_StoresReportAndAnswer_WithTheRound()
    {
        await RecordAsync("{\"r\":1}", "{\"a\":1}");

        await using var db = _database.CreateContext();
        Assert.That(await new HostRepository(db, new SingleWriterGate()).LastStatusAsync(_host.Id, CancellationToken.None),
            Is.EqualTo(new StoredHostStatus("{\"r\":1}", "{\"a\":1}")));
    }

    [Test]
    public async Task RecordStatus_SameReportAndAnswer_LeavesTheirRowUnwritten_AChangeWritesIt()
    {
        await RecordAsync("{\"r\":1}", "{\"a\":1}");

        await using (var db = _database.CreateContext())
        {
            var hosts = new HostRepository(db, new SingleWriterGate());
            hosts.RecordStatus((await hosts.FindAsync(_host.Id, CancellationToken.None))!, "{\"r\":1}", "{\"a\":1}");
            Assert.That(db.ChangeTracker.Entries<HostStatusRecord>(), Is.Empty);
        }

        await using (var db = _database.CreateContext())
        {
            var hosts = new HostRepository(db, new SingleWriterGate());
            hosts.RecordStatus((await hosts.FindAsync(_host.Id, CancellationToken.None))!, "{\"r\":1}", "{\"a\":2}");
            Assert.That(db.ChangeTracker.Entries<HostStatusRecord>().Select(e => e.State), Is.EqualTo(new[] { EntityState.Modified }));
        }
    }

    [Test]
    public async Task RecordStatus_ComparesWithWhatIsStored_NotWithWhatThisReplicaLastWrote()
    {
        // Replica A stores one report, replica B another, then A's report comes back to A: it is stored again.
        await RecordAsync("{\"r\":\"A\"}", "{}");
        await RecordAsync("{\"r\":\"B\"}", "{}");
        await RecordAsync("{\"r\":\"A\"}", "{}");

        await using var db = _database.CreateContext();
        Assert.That((await new HostRepository(db, new SingleWriterGate()).LastStatusAsync(_host.Id, CancellationToken.None))?.Report, Is.EqualTo("{\"r\":\"A\"}"));
    }

    [Test]
    public async Task RecordStatus_TwiceInOneScope_TheLastWins()
    {
        await using (var db = _database.CreateContext())
        {
            var hosts = new HostRepository(db, new SingleWriterGate());
            var host = (await hosts.FindAsync(_host.Id, CancellationToken.None))!;
            hosts.RecordStatus(host, "{\"r\":1}", "{}");
            hosts.RecordStatus(host, "{\"r\":2}", "{}");
            await db.SaveChangesAsync();
        }

        await using var read = _database.CreateContext();
        Assert.That((await new HostRepository(read, new SingleWriterGate()).LastStatusAsync(_host.Id, CancellationToken.None))?.Report, Is.EqualTo("{\"r\":2}"));
    }

    private async Task RecordAsync(string report, string answer)
    {
        await using var db = _database.CreateContext();
        var hosts = new HostRepository(db, new SingleWriterGate());
        var host = (await hosts.FindAsync(_host.Id, CancellationToken.None))!;
        host.RecordStatus(Resources.Zero, T0.AddSeconds(5));
        hosts.RecordStatus(host, report, answer);
        await db.SaveChangesAsync();
    }
}
