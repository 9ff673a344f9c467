using Controller.Application.Common.Models;
using Controller.Application.Common.Telemetry;
using Controller.Application.Events.Models;
using Mediator;

namespace Controller.Application.Dashboard.Queries.GetOverview;

/// <summary>The cluster at a glance: hosts by state, capacity and its use, engines, the latest events, the last hour.</summary>
public sealed record GetOverviewQuery(int RecentEvents = 15) : IQuery<ClusterOverview>;

/// <summary>One engine's copies: desired, active (pending + starting + running), how many are not yet running, back-off and backlog.</summary>
public sealed record EngineOverview(Guid EngineId, string Name, int Desired, int Active, long Pending, long Running, bool InBackoff, long Queued, long Leased, double? OldestQueuedAgeSeconds)
{
    /// <summary>The rollout under way (target revision, outdated copies left, why it paused); null when none is.</summary>
    public (int Revision, int Outdated, string? PausedReason)? Rollout { get; init; }
}

public sealed record ClusterOverview(
    DateTimeOffset At,
    IReadOnlyDictionary<string, long> HostsByState,
    ResourcesDto Capacity,
    ResourcesDto Allocated,
    IReadOnlyList<EngineOverview> Engines,
    IReadOnlyList<EventDto> RecentEvents,
    IReadOnlyList<EngineSample> History);
