using Controller.Application.Common.Interfaces;
using Controller.Domain.EngineInstances;
using Microsoft.EntityFrameworkCore;

namespace Controller.Infrastructure.Persistence.Repositories;

internal sealed class EngineInstanceRepository(ControllerDbContext db) : IEngineInstanceRepository
{
    private static readonly EngineInstanceState[] Holding =
        [EngineInstanceState.Pending, EngineInstanceState.Starting, EngineInstanceState.Running, EngineInstanceState.Stopping];

    private static readonly EngineInstanceState[] Ended =
        [EngineInstanceState.Stopped, EngineInstanceState.Failed, EngineInstanceState.Lost];

    public Task<EngineInstance?> FindAsync(Guid instanceId, CancellationToken cancellationToken) =>
        db.EngineInstances.FirstOrDefaultAsync(i => i.Id == instanceId, cancellationToken);

    public void Add(EngineInstance instance) => db.EngineInstances.Add(instance);

    public Task<List<EngineInstance>> ListHoldingForHostAsync(Guid hostId, CancellationToken cancellationToken) =>
        db.EngineInstances.Where(i => i.HostId == hostId && Holding.Contains(i.State)).ToListAsync(cancellationToken);

    public Task<Dictionary<Guid, EngineInstanceState>> EndedStatesAsync(Guid hostId, IReadOnlyCollection<Guid> instanceIds, CancellationToken cancellationToken) =>
        db.EngineInstances.AsNoTracking()
            .Where(i => i.HostId == hostId && instanceIds.Contains(i.Id) && Ended.Contains(i.State))
            .ToDictionaryAsync(i => i.Id, i => i.State, cancellationToken);

    public Task<bool> AnyHoldingForEngineAsync(Guid engineId, CancellationToken cancellationToken) =>
        db.EngineInstances.AnyAsync(i => i.EngineId == engineId && Holding.Contains(i.State), cancellationToken);

    public async Task<(IReadOnlyList<EngineInstance> Items, int Total)> ListAsync(Guid? engineId, Guid? hostId, EngineInstanceState? state, int skip, int take, CancellationToken cancellationToken)
    {
        var query = db.EngineInstances.AsNoTracking();
        if (engineId is not null)
        {
            query = query.Where(i => i.EngineId == engineId);
        }

        if (hostId is not null)
        {
            query = query.Where(i => i.HostId == hostId);
        }

        if (state is not null)
        {
            query = query.Where(i => i.State == state);
        }

        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderByDescending(i => i.Id).Skip(skip).Take(take).ToListAsync(cancellationToken);
        return (items, total);
    }
}
