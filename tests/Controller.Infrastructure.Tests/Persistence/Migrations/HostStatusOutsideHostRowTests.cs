using Controller.Infrastructure.Persistence.Repositories;
using Microsoft.EntityFrameworkCore;

namespace Controller.Infrastructure.Tests.Persistence.Migrations;

/// <summary>The migration that moves the last report and answer out of the host row keeps them, and every host gets its status row.</summary>
public sealed class HostStatusOutsideHostRowTests
{
    [Test]
    public async Task ExistingHosts_KeepTheirLastReportAndAnswer_AndEachGetsAStatusRow()
    {
        using var database = new TestDatabase("ClusterEvents");
        var reported = Guid.NewGuid();
        var silent = Guid.NewGuid();
        await using (var db = database.CreateContext())
        {
            foreach (var id in new[] { reported, silent })
            {
                await db.Database.ExecuteSqlRawAsync(
                    """
                    INSERT INTO "Hosts" ("Id", "MachineId", "LiveMachineId", "Hostname", "State", "Capacity", "Allocated", "RegisteredAt", "LastSeenAt", "StateChangedAt",
                                         "Version", "IpAddresses", "Labels", "Gpus")
                    VALUES ({0}, {1}, {1}, 'h', 'Active', '1,1,0,0', '0,0,0,0', {2}, {2}, {2}, 0, '[]', '{{}}', '[]')
                    """,
                    id, "m-" + id, DateTimeOffset.UtcNow);
            }

            await db.Database.ExecuteSqlRawAsync("""UPDATE "Hosts" SET "LastStatusReport" = {0}, "LastStatusAnswer" = {1} WHERE "Id" = {2}""", "{\"r\":1}", "{\"a\":1}", reported);
        }

        database.MigrateTo();

        await using var migrated = database.CreateContext();
        var hosts = new HostRepository(migrated, new Controller.Infrastructure.Persistence.SingleWriterGate());
        Assert.That(await hosts.LastStatusAsync(reported, CancellationToken.None), Is.EqualTo(new Application.Common.Interfaces.StoredHostStatus("{\"r\":1}", "{\"a\":1}")));
        Assert.That(await hosts.LastStatusAsync(silent, CancellationToken.None), Is.Null);
        Assert.That(await migrated.HostStatus.CountAsync(), Is.EqualTo(2));
        var columns = database.Provider == "Postgres"
            ? "SELECT column_name AS \"Value\" FROM information_schema.columns WHERE table_name = 'Hosts'"
            : "SELECT name AS \"Value\" FROM pragma_table_info('Hosts')";
        Assert.That(await migrated.Database.SqlQueryRaw<string>(columns).ToListAsync(), Has.None.StartsWith("LastStatus").And.Contains("StatusDigest"),
            "the blobs left the host row");
    }
}
