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
/// copies may be stopped to make room for an engine of strictly higher priority that no host has room for. A change to
/// what a copy runs (image, resources, command, environment) makes a new revision, rolled out under <c>update</c>.
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
    bool? Preemptible = null,
    EngineUpdateRequest? Update = null);

/// <summary>
/// How copies of an older revision are replaced when what a copy runs changes (a rolling update, make before break):
/// <c>maxSurge</c> copies at most above the desired count (a count "1" or a percentage of the desired count "25%",
/// rounded up; default "25%"), <c>maxUnavailable</c> at most below it among healthy copies ("0" by default, rounded down:
/// the desired count keeps running while there is room for the surge); a new copy is healthy once it has run
/// <c>healthyAfterSeconds</c> (default 10); a rollout that makes no progress for <c>progressDeadlineSeconds</c> (default
/// 600), or whose new copies fail before running healthy in 3 rounds, pauses; with <c>autoRevert</c> (default false) it
/// then goes back to the last revision that rolled out.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record EngineUpdateRequest(string? MaxSurge, string? MaxUnavailable, int? HealthyAfterSeconds, int? ProgressDeadlineSeconds, bool? AutoRevert);

/// <summary>An engine's update policy (see the request's <c>update</c>).</summary>
public sealed record EngineUpdateResponse(string MaxSurge, string MaxUnavailable, int HealthyAfterSeconds, int ProgressDeadlineSeconds, bool AutoRevert);

/// <summary>
/// A rollout under way: to <c>targetRevision</c> from the copies of earlier ones; <c>state</c> <c>progressing</c> or
/// <c>paused</c> (<c>pausedReason</c> <c>crash_loop</c> or <c>progress_deadline</c>: healthy outdated copies are no longer
/// replaced); <c>updated</c> copies of the target revision are up, <c>healthy</c> of them ran healthy, <c>outdated</c>
/// copies of earlier revisions are still up, <c>unavailable</c> is how far healthy copies of any revision are below
/// <c>desired</c>; <c>deadlineAt</c>: when it pauses if it makes no progress before.
/// </summary>
public sealed record EngineRolloutResponse(
    int TargetRevision,
    int? StableRevision,
    string State,
    string? PausedReason,
    DateTimeOffset StartedAt,
    DateTimeOffset? LastProgressAt,
    DateTimeOffset? DeadlineAt,
    int Desired,
    int Updated,
    int Healthy,
    int Outdated,
    int Unavailable);

/// <summary>One revision of an engine: what its copies run; <c>current</c>: what new copies run; <c>stable</c>: the revision an automatic revert goes back to.</summary>
public sealed record EngineRevisionResponse(
    int Revision,
    string Image,
    ResourcesResponse Resources,
    IReadOnlyList<string>? Command,
    IReadOnlyDictionary<string, string> Environment,
    DateTimeOffset CreatedAt,
    bool Current,
    bool Stable);

/// <summary>The revisions of an engine that are kept (the last 10, and its current and stable ones), newest first.</summary>
public sealed record EngineRevisionsResponse(IReadOnlyList<EngineRevisionResponse> Items);

/// <summary>Which revision to go back to: when left out, the stable revision (the last that rolled out), or else the one before the current.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RollbackRequest(int? Revision);

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
    bool Preemptible,
    int Revision,
    int? StableRevision,
    EngineUpdateResponse Update)
{
    /// <summary>The engine's task backlog: in the answer for one engine (GET /engine/{engineId}), null in lists.</summary>
    public EngineBacklogResponse? Backlog { get; init; }

    /// <summary>The rollout under way: in the answer for one engine (GET /engine/{engineId}) while one is; null otherwise.</summary>
    public EngineRolloutResponse? Rollout { get; init; }
}
