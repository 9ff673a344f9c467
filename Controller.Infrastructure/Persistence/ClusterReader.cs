using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Models;
using Controller.Application.Common.Options;
using Controller.Application.Common.Telemetry;
using Controller.Domain.Common;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Controller.Domain.Hosts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Controller.Infrastructure.Persistence;

internal sealed class ClusterReader(ControllerDbContext db, ITaskRepository tasks, IOptions<WorkOptions> work) : IClusterReader
{
    private static readonly EngineInstanceState[] Current =
        [EngineInstanceState.Pending, EngineInstanceState.Starting, EngineInstanceState.Running, EngineInstanceState.Stopping];

    private static readonly HostState[] Serving = [HostState.Active, HostState.Draining, HostState.Drained];

    public async Task<ClusterSizes> SizesAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var hosts = await db.Hosts.AsNoTracking().GroupBy(h => h.State).Select(g => new { g.Key, Count = g.LongCount() }).ToListAsync(cancellationToken);
        var engines = await db.Engines.AsNoTracking().Where(e => e.State != EngineState.Deleted).OrderBy(e => e.Name).ToListAsync(cancellationToken);
        var names = engines.ToDictionary(e => e.Id, e => e.Name);
        var instances = await db.EngineInstances.AsNoTracking().Where(i => Current.Contains(i.State))
            .GroupBy(i => new { i.EngineId, i.State }).Select(g => new { g.Key.EngineId, g.Key.State, Count = g.LongCount() })
            .ToListAsync(cancellationToken);
        var backlog = await tasks.BacklogAsync([.. names.Keys], work.Value.BacklogCountLimit, cancellationToken);

        string Name(Guid engineId) => names.GetValueOrDefault(engineId, engineId.ToString());
        return new ClusterSizes(
            hosts.ToDictionary(h => Lower(h.Key.ToString()), h => h.Count),
            instances.ToDictionary(i => (Name(i.EngineId), Lower(i.State.ToString())), i => i.Count),
            [.. engines.Select(e => new EngineSizes(e.Id, e.Name, e.Target, e.ActiveInstances, e.InBackoffAt(now), backlog.GetValueOrDefault(e.Id)?.OldestQueuedAgeSeconds(now))
            {
                Rollout = e.RollingOut ? (e.Revision, e.OutdatedInstances, e.RolloutPausedReason) : null,
            })],
            backlog.SelectMany(b => new[] { ((Name(b.Key), "queued"), (long)b.Value.Queued), ((Name(b.Key), "leased"), (long)b.Value.Leased) })
                .ToDictionary(t => t.Item1, t => t.Item2));
    }

    public async Task<(Resources Capacity, Resources Allocated)> CapacityAsync(CancellationToken cancellationToken)
    {
        // Resources are stored as one text column: summed here, not in SQL.
        var rows = await db.Hosts.AsNoTracking().Where(h => Serving.Contains(h.State)).Select(h => new { h.Capacity, h.Allocated }).ToListAsync(cancellationToken);
        return (rows.Select(r => r.Capacity).Sum(), rows.Select(r => r.Allocated).Sum());
    }

    public async Task<Application.Common.Models.Names> NamesAsync(IReadOnlyCollection<Guid> hostIds, IReadOnlyCollection<Guid> engineIds, CancellationToken cancellationToken)
    {
        var hosts = hostIds.Count == 0 ? [] : await db.Hosts.AsNoTracking().Where(h => hostIds.Contains(h.Id)).Select(h => new { h.Id, h.Hostname }).ToListAsync(cancellationToken);
        var engines = engineIds.Count == 0 ? [] : await db.Engines.AsNoTracking().Where(e => engineIds.Contains(e.Id)).Select(e => new { e.Id, e.Name }).ToListAsync(cancellationToken);
        return new Application.Common.Models.Names(hosts.ToDictionary(h => h.Id, h => h.Hostname), engines.ToDictionary(e => e.Id, e => e.Name));
    }

    public async Task<PagedResult<HostUsageDto>> HostsAsync(HostState? state, bool liveOnly, int page, int pageSize, CancellationToken cancellationToken)
    {
        var query = db.Hosts.AsNoTracking();
        if (liveOnly)
        {
            query = query.Where(h => h.State != HostState.Terminated);
        }

        if (state is { } s)
        {
            query = query.Where(h => h.State == s);
        }

        var total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderBy(h => h.Hostname).ThenBy(h => h.Id).Skip((page - 1) * pageSize).Take(pageSize)
            .Select(h => new { h.Id, h.Hostname, h.State, h.LastSeenAt, h.Capacity, h.Allocated })
            .ToListAsync(cancellationToken);
        return new PagedResult<HostUsageDto>(
            [.. rows.Select(r => new HostUsageDto(r.Id, r.Hostname, r.State, r.LastSeenAt, ResourcesDto.From(r.Capacity), ResourcesDto.From(r.Allocated)))],
            page, pageSize, total);
    }

    private static string Lower(string value) => value.ToLowerInvariant();
}
