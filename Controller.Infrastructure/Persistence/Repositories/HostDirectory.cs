using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Models;
using Controller.Domain.Hosts;
using Microsoft.EntityFrameworkCore;

namespace Controller.Infrastructure.Persistence.Repositories;

internal sealed class HostDirectory(ControllerDbContext db) : IHostDirectory
{
    private static readonly HostState[] Live = [HostState.Active, HostState.Draining, HostState.Drained];

    public async Task<IReadOnlyList<ActiveHostView>> ListActiveAsync(CancellationToken cancellationToken) =>
        await db.Hosts.AsNoTracking()
            .Where(h => h.State == HostState.Active)
            .Select(h => new ActiveHostView(h.Id, EF.Property<Dictionary<string, string>>(h, "_labels"), h.Capacity, h.Allocated))
            .ToListAsync(cancellationToken);

    public async Task<IReadOnlyList<Guid>> ListSilentSinceAsync(DateTimeOffset seenBefore, int max, CancellationToken cancellationToken) =>
        await db.Hosts.AsNoTracking()
            .Where(h => Live.Contains(h.State) && h.LastSeenAt < seenBefore)
            .OrderBy(h => h.LastSeenAt)
            .Select(h => h.Id)
            .Take(max)
            .ToListAsync(cancellationToken);

    public async Task<IReadOnlyList<Guid>> ListSilentTerminatingAsync(DateTimeOffset seenBefore, int max, CancellationToken cancellationToken) =>
        await db.Hosts.AsNoTracking()
            .Where(h => h.State == HostState.Terminating && h.LastSeenAt < seenBefore)
            .OrderBy(h => h.LastSeenAt)
            .Select(h => h.Id)
            .Take(max)
            .ToListAsync(cancellationToken);

    public async Task<IReadOnlyList<HostChange>> ListChangedSinceAsync(DateTimeOffset since, CancellationToken cancellationToken) =>
        await db.Events.AsNoTracking()
            .Where(e => e.At >= since && e.HostId != null)
            .GroupBy(e => e.HostId!.Value)
            .Select(g => new HostChange(g.Key, g.Max(e => e.At)))
            .ToListAsync(cancellationToken);

    public Task<int> CountLiveAsync(CancellationToken cancellationToken) =>
        db.Hosts.CountAsync(h => Live.Contains(h.State), cancellationToken);
}
