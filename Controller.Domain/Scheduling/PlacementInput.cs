using Controller.Domain.Common;
using Controller.Domain.EngineInstances;

namespace Controller.Domain.Scheduling;

/// <summary>
/// An engine instance on the host being decided for (one that holds resources there). <c>Displaced</c>: it runs on
/// while its replacement starts elsewhere and is no longer counted toward its engine. <c>Busy</c>: its engine said it works
/// (heartbeat) or it holds leased tasks (getwork); idle copies go first when there are too many. <c>Revision</c>: the engine
/// revision it runs; <c>RunningSince</c>: when it became running (null while it never ran).
/// </summary>
public sealed record PlacedInstance(
    Guid InstanceId,
    Guid EngineId,
    EngineInstanceState State,
    Resources Resources,
    IReadOnlyList<int> GpuIndexes,
    DateTimeOffset CreatedAt,
    bool Displaced = false,
    bool Busy = false,
    int Revision = 1,
    DateTimeOffset? RunningSince = null)
{
    /// <summary>Running since <paramref name="healthySince"/> or earlier.</summary>
    public bool HealthyAsOf(DateTimeOffset healthySince) => RollingUpdate.IsHealthy(State, RunningSince, healthySince);
}

/// <summary>
/// One host as the scheduler sees it: what it can hold, what the agent last said is free, and the
/// instances already placed on it (including launches sent but not yet reported).
/// <see cref="HeldGpuIndexes"/> are GPUs still held by reported containers of ended instances;
/// <see cref="AvoidedEngines"/> are engines that kept crashing on this host lately (<see cref="HostAvoidance"/>), each with how
/// many hosts avoid it, this one included: not launched here while more hosts have room for it than avoid it.
/// </summary>
public sealed record HostSnapshot(
    Guid HostId,
    HostRole Role,
    Resources Capacity,
    Resources? ReportedAvailable,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyList<int> GpuIndexes,
    IReadOnlyList<PlacedInstance> Instances)
{
    public IReadOnlyCollection<int> HeldGpuIndexes { get; init; } = [];

    public IReadOnlyDictionary<Guid, int> AvoidedEngines { get; init; } = new Dictionary<Guid, int>();
}

/// <summary>
/// One engine's cluster-wide demand. <see cref="SpreadCap"/> is how many copies one host should hold under
/// the spread policy; <see cref="RoomElsewhere"/> says whether other active hosts can take a copy (for draining).
/// <see cref="Target"/> is the count the engine converges to; <see cref="RunningCopies"/> and <see cref="DisplacedCopies"/>,
/// when known, are how many of its counted copies run cluster-wide and how many displaced copies are still up: displaced
/// copies stop as long as running plus still-displaced copies stay at or above the target (make before break).
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
    bool RoomElsewhere)
{
    public int Target { get; init; }

    public int? RunningCopies { get; init; }

    public int DisplacedCopies { get; init; }

    /// <summary>Active hosts with room for one more copy (this one included), as far as the cluster view knows.</summary>
    public int HostsWithRoom { get; init; } = int.MaxValue;

    /// <summary>
    /// Queue-scaled: a surplus is taken from idle copies only; a busy copy is told to terminate through getwork once
    /// it has finished its work.
    /// </summary>
    public bool ScalesDownIdleOnly { get; init; }

    /// <summary>Whether its copies may be stopped to make room for an engine of higher priority.</summary>
    public bool Preemptible { get; init; } = true;

    /// <summary>Copies of it for which preemptions are under way (their victims are stopping): no more is preempted for them.</summary>
    public int PreemptionsPending { get; init; }

    /// <summary>
    /// At most this many of its copies displaced at once (still up, their replacements not yet running) when copies move
    /// off hosts its labels no longer match: its update policy's surge, at least one.
    /// </summary>
    public int MaxDisplaced { get; init; } = 1;

    /// <summary>Copies of engines it may preempt (preemptible, of lower priority) are up: room can be made for it where none is free.</summary>
    public bool MayPreempt { get; init; }

    /// <summary>The revision new copies run; copies of another one are outdated (stopped first when there are too many).</summary>
    public int Revision { get; init; } = 1;

    /// <summary>Its rollout, when outdated copies are being replaced and counted for this round (null otherwise).</summary>
    public RolloutDemand? Rollout { get; init; }
}

/// <summary>
/// An engine replacing its outdated copies (<see cref="RollingUpdate"/>): a copy running since <see cref="HealthySince"/> or
/// earlier counts healthy; <see cref="HealthyStopsAllowed"/> healthy outdated copies may stop now, cluster-wide.
/// </summary>
public sealed record RolloutDemand(DateTimeOffset HealthySince, int HealthyStopsAllowed);

public sealed record LaunchDecision(Guid EngineId, IReadOnlyList<int> GpuIndexes);

public sealed record StopDecision(Guid InstanceId, Guid EngineId, string Reason);

/// <summary>
/// A copy that keeps running while a replacement is placed elsewhere: its host drains, or (<paramref name="LabelsChanged"/>)
/// its engine's labels no longer match its host.
/// </summary>
public sealed record DisplaceDecision(Guid InstanceId, Guid EngineId, bool LabelsChanged = false);

/// <summary>How the scheduler decides: the placement policy and at most how many launches one answer carries.</summary>
public sealed record SchedulerSettings(PlacementPolicy Policy, int MaxLaunchesPerAnswer = SchedulerSettings.DefaultMaxLaunchesPerAnswer)
{
    public const int DefaultMaxLaunchesPerAnswer = 32;
}

/// <summary>Copies of lower priority stopped on this host (in the decision's stops) to make room for one copy of an engine.</summary>
public sealed record PreemptDecision(Guid EngineId, IReadOnlyList<StopDecision> Victims);

public sealed record PlacementDecision(IReadOnlyList<LaunchDecision> Launches, IReadOnlyList<StopDecision> Stops)
{
    public static readonly PlacementDecision None = new([], []);

    public IReadOnlyList<DisplaceDecision> Displacements { get; init; } = [];

    /// <summary>At most one per round (a burst of demand cannot empty the cluster in one answer).</summary>
    public PreemptDecision? Preemption { get; init; }

    public bool IsEmpty => Launches.Count == 0 && Stops.Count == 0 && Displacements.Count == 0;
}
