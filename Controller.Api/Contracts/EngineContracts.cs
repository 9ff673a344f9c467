using System.Text.Json.Serialization;

namespace Controller.Api.Contracts;

/// <summary>active, deleting (its copies are stopped), deleted.</summary>
public enum EngineState
{
    Active,
    Deleting,
    Deleted,
}

/// <summary>
/// An engine definition as an admin sends it (POST and PUT). Strict: an unknown field is a 400 naming it (admin
/// requests are written by people, and a typo must not be ignored). What a copy runs: <c>image</c>, optional
/// <c>command</c> (the program and its arguments: required by the agent's <c>process</c> driver, overrides the image's
/// for <c>docker</c>), <c>environment</c> (non-secret settings; CONTROLLER_URL, ENGINE_ID, ENGINE_INSTANCE_ID and
/// ENGINE_INSTANCE_TOKEN are the controller's and replace any value given here), <c>stopGraceSeconds</c> (the stop
/// signal, then a kill after this many seconds; default 30, at most 3600). <c>preemptible</c> (default true): whether its
/// copies may be stopped to make room for an engine of strictly higher priority that no host has room for.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
[ValidatedAs(typeof(Application.Engines.Models.EngineDefinition))]
public sealed record EngineRequest(
    string? Name,
    string? Image,
    ResourcesRequest? Resources,
    int? Priority,
    int? MinInstances,
    int? MaxInstances,
    int? DesiredInstances,
    IReadOnlyDictionary<string, string>? HostLabels,
    EngineScalingRequest? Scaling = null,
    IReadOnlyList<string>? Command = null,
    IReadOnlyDictionary<string, string>? Environment = null,
    int? StopGraceSeconds = null,
    bool? Preemptible = null);

/// <summary>manual: an admin sets desiredInstances; queue: the task backlog sets it.</summary>
public enum ScalingMode
{
    Manual,
    Queue,
}

/// <summary>
/// How the desired count is set. queue: backlog (queued + leased tasks) / targetTasksPerInstance copies, rounded up,
/// within minInstances..maxInstances; up at the next sweep, down only after scaleDownAfterSeconds of a smaller backlog.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
[ValidatedAs(typeof(Application.Engines.Models.EngineScalingModel))]
public sealed record EngineScalingRequest(ScalingMode? Mode, int? TargetTasksPerInstance, int? ScaleDownAfterSeconds);

public sealed record EngineScalingResponse(ScalingMode Mode, int TargetTasksPerInstance, int ScaleDownAfterSeconds);

/// <summary>
/// An engine's unfinished tasks: queued, leased, and the oldest queued task's time and age. Each count stops at the
/// controller's <c>Work:BacklogCountLimit</c>; <c>queuedCapped</c> or <c>leasedCapped</c> true: there are more than it says.
/// </summary>
public sealed record EngineBacklogResponse(int Queued, int Leased, DateTimeOffset? OldestQueuedAt, double? OldestQueuedAgeSeconds)
{
    /// <summary>True when more tasks are queued than <c>queued</c> says (the count stopped at its limit).</summary>
    public bool QueuedCapped { get; init; }

    /// <summary>True when more tasks are leased than <c>leased</c> says (the count stopped at its limit).</summary>
    public bool LeasedCapped { get; init; }
}

/// <summary>An engine as the controller answers it.</summary>
public sealed record EngineResponse(
    Guid EngineId,
    string Name,
    string Image,
    ResourcesResponse Resources,
    int Priority,
    int MinInstances,
    int MaxInstances,
    int DesiredInstances,
    IReadOnlyDictionary<string, string> HostLabels,
    EngineState State,
    int ActiveInstances,
    int ConsecutiveFailures,
    DateTimeOffset? BackoffUntil,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    EngineScalingResponse Scaling,
    IReadOnlyList<string>? Command,
    IReadOnlyDictionary<string, string> Environment,
    int StopGraceSeconds,
    bool Preemptible)
{
    /// <summary>The engine's task backlog: in the answer for one engine (GET /engine/{engineId}), null in lists.</summary>
    public EngineBacklogResponse? Backlog { get; init; }
}
