using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Models;
using Controller.Domain.EngineInstances;
using Controller.Domain.Scheduling;
using Microsoft.EntityFrameworkCore;

namespace Controller.Infrastructure.Persistence.Repositories;

internal sealed class EngineInstanceRepository(ControllerDbContext db) : IEngineInstanceRepository
{
    private static readonly EngineInstanceState[] Holding =
        [EngineInstanceState.Pending, EngineInstanceState.Starting, EngineInstanceState.Running, EngineInstanceState.Stopping];

    private static readonly EngineInstanceState[] Up =
        [EngineInstanceState.Pending, EngineInstanceState.Starting, EngineInstanceState.Running];

    private static readonly EngineInstanceState[] Ended =
        [EngineInstanceState.Stopped, EngineInstanceState.Failed, EngineInstanceState.Lost];

    // Compiled: read on every heartbeat and getwork.
    private static readonly Func<ControllerDbContext, Guid, CancellationToken, Task<EngineInstance?>> ById =
        EF.CompileAsyncQuery((ControllerDbContext db, Guid id, CancellationToken _) => db.EngineInstances.FirstOrDefault(i => i.Id == id));

    // Compiled: read by every status round.
    private static readonly Func<ControllerDbContext, Guid, IAsyncEnumerable<EngineInstance>> HoldingOnHost =
        EF.CompileAsyncQuery((ControllerDbContext db, Guid hostId) => db.EngineInstances.Where(i => i.HostId == hostId
            && (i.State == EngineInstanceState.Pending || i.State == EngineInstanceState.Starting
                || i.State == EngineInstanceState.Running || i.State == EngineInstanceState.Stopping)));

    public Task<EngineInstance?> FindAsync(Guid instanceId, CancellationToken cancellationToken) => ById(db, instanceId, cancellationToken);

    public void Add(EngineInstance instance) => db.EngineInstances.Add(instance);

    public async Task<List<EngineInstance>> ListHoldingForHostAsync(Guid hostId, CancellationToken cancellationToken)
    {
        var holding = new List<EngineInstance>();
        await foreach (var instance in HoldingOnHost(db, hostId).WithCancellation(cancellationToken))
        {
            holding.Add(instance);
        }

        return holding;
    }

    public Task<List<EngineInstance>> ListHoldingForHostsAsync(IReadOnlyCollection<Guid> hostIds, CancellationToken cancellationToken) =>
        db.EngineInstances.Where(i => hostIds.Contains(i.HostId) && Holding.Contains(i.State)).ToListAsync(cancellationToken);

    public async Task<Dictionary<Guid, EndedInstance>> EndedStatesAsync(Guid hostId, IReadOnlyCollection<Guid> instanceIds, CancellationToken cancellationToken) =>
        (await db.EngineInstances.AsNoTracking()
            .Where(i => i.HostId == hostId && instanceIds.Contains(i.Id) && Ended.Contains(i.State))
            .ToListAsync(cancellationToken))
        .ToDictionary(i => i.Id, i => new EndedInstance(i.State, i.GpuIndexes));

    public async Task<IReadOnlyList<FailedCopy>> FailuresOnHostSinceAsync(Guid hostId, DateTimeOffset since, CancellationToken cancellationToken) =>
        await db.EngineInstances.AsNoTracking()
            .Where(i => i.HostId == hostId && i.State == EngineInstanceState.Failed && i.StateChangedAt >= since)
            .Select(i => new FailedCopy(i.EngineId, i.HostId, i.RunningSince, i.StateChangedAt))
            .ToListAsync(cancellationToken);

    public async Task<IReadOnlyList<FailedCopy>> FailuresOfEnginesSinceAsync(IReadOnlyCollection<Guid> engineIds, DateTimeOffset since, CancellationToken cancellationToken) =>
        await db.EngineInstances.AsNoTracking()
            .Where(i => engineIds.Contains(i.EngineId) && i.State == EngineInstanceState.Failed && i.StateChangedAt >= since)
            .Select(i => new FailedCopy(i.EngineId, i.HostId, i.RunningSince, i.StateChangedAt))
            .ToListAsync(cancellationToken);

    public async Task<Dictionary<Guid, ReplacementCounts>> CountReplacementsAsync(IReadOnlyCollection<Guid> engineIds, CancellationToken cancellationToken)
    {
        var rows = await db.EngineInstances.AsNoTracking()
            .Where(i => engineIds.Contains(i.EngineId) && Up.Contains(i.State) && (i.Displaced || i.State == EngineInstanceState.Running))
            .Select(i => new { i.Id, i.EngineId, i.Displaced, i.State })
            .ToListAsync(cancellationToken);
        var copies = rows.ToDictionary(r => r.Id, r => (r.EngineId, r.Displaced, r.State));

        // As this unit of work sees them: the rounds decided earlier in the same batch are not saved yet.
        foreach (var entry in db.ChangeTracker.Entries<EngineInstance>())
        {
            var instance = entry.Entity;
            if (engineIds.Contains(instance.EngineId))
            {
                copies[instance.Id] = (instance.EngineId, instance.Displaced, instance.State);
            }
        }

        return copies.Values.Where(c => EngineInstance.IsActiveState(c.State)).GroupBy(c => c.EngineId).ToDictionary(
            g => g.Key,
            g => new ReplacementCounts(g.Count(c => !c.Displaced && c.State == EngineInstanceState.Running), g.Count(c => c.Displaced)));
    }

    public async Task<ILookup<Guid, RolloutCopy>> ListUpCopiesAsync(IReadOnlyCollection<Guid> engineIds, CancellationToken cancellationToken)
    {
        var rows = await db.EngineInstances.AsNoTracking()
            .Where(i => engineIds.Contains(i.EngineId) && Up.Contains(i.State))
            .Select(i => new { i.Id, i.EngineId, Copy = new RolloutCopy(i.Revision, i.State, i.RunningSince, i.Displaced) })
            .ToListAsync(cancellationToken);
        var copies = rows.ToDictionary(r => r.Id, r => (r.EngineId, r.Copy));

        // As this unit of work sees them: the rounds decided earlier in the same batch are not saved yet.
        foreach (var entry in db.ChangeTracker.Entries<EngineInstance>())
        {
            var i = entry.Entity;
            if (engineIds.Contains(i.EngineId))
            {
                copies[i.Id] = (i.EngineId, new RolloutCopy(i.Revision, i.State, i.RunningSince, i.Displaced));
            }
        }

        return copies.Values.Where(c => EngineInstance.IsActiveState(c.Copy.State)).ToLookup(c => c.EngineId, c => c.Copy);
    }

    public async Task<Dictionary<Guid, int>> CountHealthyAsync(IReadOnlyDictionary<Guid, DateTimeOffset> healthySince, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<Guid, int>(healthySince.Count);
        foreach (var (engineId, since) in healthySince)
        {
            counts[engineId] = await db.EngineInstances.AsNoTracking()
                .CountAsync(i => i.EngineId == engineId && i.State == EngineInstanceState.Running && !i.Displaced && i.RunningSince <= since, cancellationToken);
        }

        // As this unit of work sees them: copies changed by rounds decided earlier in the same batch, not saved yet.
        foreach (var entry in db.ChangeTracker.Entries<EngineInstance>())
        {
            var i = entry.Entity;
            if (!healthySince.TryGetValue(i.EngineId, out var since) || entry.State == EntityState.Unchanged)
            {
                continue;
            }

            var now = !i.Displaced && RollingUpdate.IsHealthy(i.State, i.RunningSince, since);
            var stored = entry.State != EntityState.Added && !entry.OriginalValues.GetValue<bool>(nameof(EngineInstance.Displaced))
                && RollingUpdate.IsHealthy(entry.OriginalValues.GetValue<EngineInstanceState>(nameof(EngineInstance.State)),
                    entry.OriginalValues.GetValue<DateTimeOffset?>(nameof(EngineInstance.RunningSince)), since);
            counts[i.EngineId] += (now ? 1 : 0) - (stored ? 1 : 0);
        }

        return counts;
    }

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
