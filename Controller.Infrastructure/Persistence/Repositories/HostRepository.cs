using System.Security.Cryptography;
using System.Text;
using Controller.Application.Common.Interfaces;
using Controller.Domain.Hosts;
using Controller.Infrastructure.Persistence.Configurations;
using Microsoft.EntityFrameworkCore;

namespace Controller.Infrastructure.Persistence.Repositories;

internal sealed class HostRepository(ControllerDbContext db, IDatabaseWriteGate writeGate) : IHostRepository
{
    /// <summary>The status rows this scope attached, by host: a second round of a host in the same scope updates its row.</summary>
    private readonly Dictionary<Guid, HostStatusRecord> _recorded = [];

    // Compiled: read by every status round.
    private static readonly Func<ControllerDbContext, Guid, CancellationToken, Task<Host?>> ById =
        EF.CompileAsyncQuery((ControllerDbContext db, Guid id, CancellationToken _) => db.Hosts.FirstOrDefault(h => h.Id == id));

    public Task<Host?> FindAsync(Guid hostId, CancellationToken cancellationToken) => ById(db, hostId, cancellationToken);

    public Task<List<Host>> ListAsync(IReadOnlyCollection<Guid> hostIds, CancellationToken cancellationToken) =>
        db.Hosts.Where(h => hostIds.Contains(h.Id)).ToListAsync(cancellationToken);

    public Task<Host?> FindLiveByMachineIdAsync(string machineId, CancellationToken cancellationToken) =>
        db.Hosts.FirstOrDefaultAsync(h => EF.Property<string?>(h, "LiveMachineId") == machineId, cancellationToken);

    public Task<HostState?> StateOfAsync(Guid hostId, CancellationToken cancellationToken) =>
        db.Hosts.AsNoTracking().Where(h => h.Id == hostId).Select(h => (HostState?)h.State).FirstOrDefaultAsync(cancellationToken);

    public void Add(Host host) => db.Hosts.Add(host);

    public void RecordStatus(Host host, string report, string answer)
    {
        var entry = db.Entry(host);
        var digest = entry.Property<string?>(HostConfiguration.StatusDigest);
        var now = Digest(report, answer);
        if (string.Equals(digest.CurrentValue, now, StringComparison.Ordinal))
        {
            return; // the same report and answer as stored: their row is not written
        }

        digest.CurrentValue = now;
        // Found without DbSet.Local, which would detect changes on every tracked row (a batch of rounds tracks many).
        if (_recorded.TryGetValue(host.Id, out var tracked) && db.Entry(tracked).State != EntityState.Detached)
        {
            tracked.Report = report;
            tracked.Answer = answer;
            return;
        }

        var record = new HostStatusRecord { HostId = host.Id, Report = report, Answer = answer };
        _recorded[host.Id] = record;
        if (entry.State == EntityState.Added)
        {
            db.HostStatus.Add(record);
            return;
        }

        // The row exists (created with the host): update it without reading it.
        var row = db.HostStatus.Attach(record);
        row.Property(r => r.Report).IsModified = true;
        row.Property(r => r.Answer).IsModified = true;
    }

    public Task<StoredHostStatus?> LastStatusAsync(Guid hostId, CancellationToken cancellationToken) =>
        db.HostStatus.AsNoTracking().Where(s => s.HostId == hostId && (s.Report != null || s.Answer != null))
            .Select(s => new StoredHostStatus(s.Report, s.Answer)).FirstOrDefaultAsync(cancellationToken);

    public async Task TouchManyAsync(IReadOnlyCollection<Guid> hostIds, DateTimeOffset at, CancellationToken cancellationToken)
    {
        using var _ = await writeGate.EnterAsync(cancellationToken);
        await db.Hosts.Where(h => hostIds.Contains(h.Id) && h.LastSeenAt < at)
            .ExecuteUpdateAsync(u => u.SetProperty(h => h.LastSeenAt, at).SetProperty(h => h.LastStatusAt, at), cancellationToken);
    }

    public async Task<(IReadOnlyList<Host> Items, int Total)> ListAsync(HostState? state, int skip, int take, CancellationToken cancellationToken)
    {
        var query = db.Hosts.AsNoTracking();
        if (state is not null)
        {
            query = query.Where(h => h.State == state);
        }

        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderByDescending(h => h.Id).Skip(skip).Take(take).ToListAsync(cancellationToken);
        return (items, total);
    }

    /// <summary>A digest of a report and an answer, the same on every replica (base64 of SHA-256, 44 characters).</summary>
    internal static string Digest(string report, string answer)
    {
        var bytes = Encoding.UTF8.GetBytes(report.Length + ":" + report + answer);
        return Convert.ToBase64String(SHA256.HashData(bytes));
    }
}
