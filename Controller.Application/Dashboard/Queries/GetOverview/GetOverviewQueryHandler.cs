using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Models;
using Controller.Application.Common.Telemetry;
using Controller.Application.Events.Models;
using Mediator;

namespace Controller.Application.Dashboard.Queries.GetOverview;

/// <summary>Reads the sizes fresh (grouped counts, as the gauges do), the capacity, the latest events; the hour's history is this replica's gauge readings.</summary>
public sealed class GetOverviewQueryHandler(IClusterReader reader, IEventLog events, ClusterGauges gauges, TimeProvider clock)
    : IQueryHandler<GetOverviewQuery, ClusterOverview>
{
    public async ValueTask<ClusterOverview> Handle(GetOverviewQuery query, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var sizes = await reader.SizesAsync(now, cancellationToken);
        var (capacity, allocated) = await reader.CapacityAsync(cancellationToken);
        var recent = query.RecentEvents == 0 ? [] : await events.ListAsync(EventFilter.All, after: null, query.RecentEvents, cancellationToken);

        long Count(string engine, string state) => sizes.InstancesByEngineAndState.GetValueOrDefault((engine, state));
        long Tasks(string engine, string state) => sizes.TasksByEngineAndState.GetValueOrDefault((engine, state));
        var engines = sizes.Engines.Select(e => new EngineOverview(
            e.EngineId, e.Engine, e.Desired, e.Active, Count(e.Engine, "pending") + Count(e.Engine, "starting"), Count(e.Engine, "running"),
            e.InBackoff, Tasks(e.Engine, "queued"), Tasks(e.Engine, "leased"), e.OldestQueuedAgeSeconds) { Rollout = e.Rollout }).ToList();

        return new ClusterOverview(now, sizes.HostsByState, ResourcesDto.From(capacity), ResourcesDto.From(allocated), engines,
            [.. recent.Reverse().Select(EventDto.From)], gauges.History());
    }
}
