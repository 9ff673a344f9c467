using Controller.Application.Common.Interfaces;
using Controller.Domain.Events;
using Microsoft.EntityFrameworkCore;

namespace Controller.Infrastructure.Persistence;

internal sealed class EventLog(ControllerDbContext db) : IEventLog
{
    public void Add(ClusterEvent clusterEvent) => db.Events.Add(clusterEvent);

    public async Task<IReadOnlyList<ClusterEvent>> ListAsync(EventFilter filter, long? after, int limit, CancellationToken cancellationToken)
    {
        var query = db.Events.AsNoTracking();
        if (await db.EventHorizonAsync(cancellationToken) is { } horizon)
        {
            query = query.Where(e => e.Sequence <= horizon);
        }

        if (filter.Types.Count > 0)
        {
            var types = filter.Types.ToList();
            query = types.Count == 1 ? query.Where(e => e.Type == types[0]) : query.Where(e => types.Contains(e.Type));
        }

        if (filter.HostId is { } hostId)
        {
            query = query.Where(e => e.HostId == hostId);
        }

        if (filter.EngineId is { } engineId)
        {
            query = query.Where(e => e.EngineId == engineId);
        }

        if (filter.InstanceId is { } instanceId)
        {
            query = query.Where(e => e.InstanceId == instanceId);
        }

        if (after is { } cursor)
        {
            return await query.Where(e => e.Sequence > cursor).OrderBy(e => e.Sequence).Take(limit).ToListAsync(cancellationToken);
        }

        var latest = await query.OrderByDescending(e => e.Sequence).Take(limit).ToListAsync(cancellationToken);
        latest.Reverse();
        return latest;
    }
}

/// <summary>One per process: live followers wait on it between polls.</summary>
internal sealed class EventSignal : IEventSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Notify() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public Task NextNotification() => Volatile.Read(ref _next).Task;
}
