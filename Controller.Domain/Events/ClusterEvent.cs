namespace Controller.Domain.Events;

/// <summary>
/// One entry of the cluster's append-only event feed: what the controller did or saw, and why. Raised by the aggregate
/// whose state changed, in the same call as the change, and stored in the same transaction; <see cref="Sequence"/> is
/// given by the database and orders the feed.
/// </summary>
public sealed class ClusterEvent
{
    public const int MessageMaxLength = 500;
    public const int ReasonMaxLength = 100;
    public const int TypeMaxLength = 40;

    private ClusterEvent()
    {
        Type = string.Empty;
        Message = string.Empty;
    }

    /// <summary>Position in the feed, increasing in commit order (a cursor never skips or repeats); gaps are allowed.</summary>
    public long Sequence { get; private set; }

    /// <summary>One of <see cref="ClusterEventTypes"/>, e.g. <c>host.lost</c>.</summary>
    public string Type { get; private set; }

    public DateTimeOffset At { get; private set; }

    public Guid? HostId { get; private set; }

    public Guid? EngineId { get; private set; }

    public Guid? InstanceId { get; private set; }

    /// <summary>Why, as a short machine-readable word (a stop reason such as <c>scaled_down</c>, a failure such as <c>exited</c>).</summary>
    public string? Reason { get; private set; }

    public int? ExitCode { get; private set; }

    /// <summary>For people: one sentence.</summary>
    public string Message { get; private set; }

    public static ClusterEvent Create(string type, DateTimeOffset at, string message, Guid? hostId = null, Guid? engineId = null, Guid? instanceId = null,
        string? reason = null, int? exitCode = null) => new()
    {
        Type = type,
        At = at,
        Message = message.Length > MessageMaxLength ? message[..MessageMaxLength] : message,
        HostId = hostId,
        EngineId = engineId,
        InstanceId = instanceId,
        Reason = reason is { Length: > ReasonMaxLength } ? reason[..ReasonMaxLength] : reason,
        ExitCode = exitCode,
    };
}

/// <summary>The event types of the feed. Each lifecycle transition raises exactly one of them.</summary>
public static class ClusterEventTypes
{
    public const string HostRegistered = "host.registered";
    public const string HostDraining = "host.draining";
    public const string HostDrained = "host.drained";
    public const string HostUndrained = "host.undrained";
    public const string HostLost = "host.lost";
    public const string HostBack = "host.back";
    public const string HostTerminating = "host.terminating";
    public const string HostTerminated = "host.terminated";

    public const string InstanceLaunched = "instance.launched";
    public const string InstanceStarting = "instance.starting";
    public const string InstanceRunning = "instance.running";
    public const string InstanceDisplaced = "instance.displaced";
    public const string InstanceStopping = "instance.stopping";
    public const string InstanceStopped = "instance.stopped";
    public const string InstanceFailed = "instance.failed";
    public const string InstanceLost = "instance.lost";

    public const string EngineCreated = "engine.created";
    public const string EngineScaled = "engine.scaled";
    public const string EngineDeleting = "engine.deleting";
    public const string EngineDeleted = "engine.deleted";
    public const string EngineBackoffStarted = "engine.backoff_started";
    public const string EngineBackoffEnded = "engine.backoff_ended";
    public const string EnginePreempting = "engine.preempting";
    public const string EngineUpdateStarted = "engine.update_started";
    public const string EngineUpdateProgressed = "engine.update_progressed";
    public const string EngineUpdateCompleted = "engine.update_completed";
    public const string EngineUpdatePaused = "engine.update_paused";
    public const string EngineUpdateReverted = "engine.update_reverted";
    public const string EngineUpdateResumed = "engine.update_resumed";

    public const string SweepHeldBack = "sweep.held_back";
    public const string SweepResumed = "sweep.resumed";

    public static IReadOnlyList<string> All { get; } =
    [
        HostRegistered, HostDraining, HostDrained, HostUndrained, HostLost, HostBack, HostTerminating, HostTerminated,
        InstanceLaunched, InstanceStarting, InstanceRunning, InstanceDisplaced, InstanceStopping, InstanceStopped, InstanceFailed, InstanceLost,
        EngineCreated, EngineScaled, EngineDeleting, EngineDeleted, EngineBackoffStarted, EngineBackoffEnded, EnginePreempting,
        EngineUpdateStarted, EngineUpdateProgressed, EngineUpdateCompleted, EngineUpdatePaused, EngineUpdateReverted, EngineUpdateResumed,
        SweepHeldBack, SweepResumed,
    ];
}
