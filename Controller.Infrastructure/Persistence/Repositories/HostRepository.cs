using Controller.Application.Common.Interfaces;
using Controller.Domain.Hosts;
using Microsoft.EntityFrameworkCore;

namespace Controller.Infrastructure.Persistence.Repositories;

internal sealed class HostRepository(ControllerDbContext db, IDatabaseWriteGate writeGate) : IHostRepository
{
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

    public async Task TouchManyAsync(IReadOnlyCollection<Guid> hostIds, DateTimeOffset at, CancellationToken cancellationToken)
    {
        using var _ = await writeGate.EnterAsync(cancellationToken);
        await db.Hosts.Where(h => hostIds.Contains(h.Id) && h.LastSeenAt < at)
            .ExecuteUpdateAsync(u => u.SetProperty(h => h.LastSeenAt, at), cancellationToken);
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
}
