using Controller.Domain.Common;
using Controller.Domain.EngineInstances;

namespace Controller.Domain.Scheduling;

/// <summary>An engine instance on the host being decided for (one that holds resources there).</summary>
public sealed record PlacedInstance(
    Guid InstanceId,
    Guid EngineId,
    EngineInstanceState State,
    Resources Resources,
    IReadOnlyList<int> GpuIndexes,
    DateTimeOffset CreatedAt);

/// <summary>
/// One host as the scheduler sees it: what it can hold, what the agent last said is free, and the
/// instances already placed on it (including launches sent but not yet reported).
/// </summary>
public sealed record HostSnapshot(
    Guid HostId,
    HostRole Role,
    Resources Capacity,
    Resources? ReportedAvailable,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyList<int> GpuIndexes,
    IReadOnlyList<PlacedInstance> Instances);

/// <summary>
/// One engine's cluster-wide demand. <see cref="SpreadCap"/> is how many copies one host should hold under
/// the spread policy; <see cref="RoomElsewhere"/> says whether other active hosts can take a copy (for draining).
/// </summary>
public sealed record EngineDemand(
    Guid EngineId,
    string Name,
    int Priority,
    Resources Resources,
    IReadOnlyDictionary<string, string> HostLabels,
    int Deficit,
    int Surplus,
    bool Deleting,
    bool InBackoff,
    int SpreadCap,
    bool RoomElsewhere);

public sealed record LaunchDecision(Guid EngineId, IReadOnlyList<int> GpuIndexes);

public sealed record StopDecision(Guid InstanceId, Guid EngineId, string Reason);

public sealed record PlacementDecision(IReadOnlyList<LaunchDecision> Launches, IReadOnlyList<StopDecision> Stops)
{
    public static readonly PlacementDecision None = new([], []);

    public bool IsEmpty => Launches.Count == 0 && Stops.Count == 0;
}
