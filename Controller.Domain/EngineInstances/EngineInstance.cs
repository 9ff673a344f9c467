using Controller.Domain.Common;
using Controller.Domain.Engines;
using Controller.Domain.Events;

namespace Controller.Domain.EngineInstances;

/// <summary>
/// One copy of an engine on one host (one container). Lifecycle:
/// pending → starting → running → stopping → stopped; failed when a launch is not confirmed in time,
/// the engine never announces itself, the container exits on its own or the engine falls silent; lost with its host.
/// A copy on a draining host may be <see cref="Displaced"/>: it keeps running but no longer counts toward its
/// engine, so that a replacement starts elsewhere before it is stopped (make before break).
/// Every transition that takes the copy out of its engine's count returns true so that the caller releases it.
/// </summary>
public sealed class EngineInstance : Entity
{
    /// <summary>Why a copy whose container exited on its own failed.</summary>
    public const string ReasonExited = "exited";

    private List<int> _gpuIndexes = [];
    private List<string>? _command;
    private Dictionary<string, string> _environment = [];

    private EngineInstance(Guid id)
        : base(id)
    {
        Image = string.Empty;
    }

    public Guid EngineId { get; private set; }

    public Guid HostId { get; private set; }

    /// <summary>The image it was launched with (an engine update does not change running copies).</summary>
    public string Image { get; private set; }

    public Resources Resources { get; private set; }

    /// <summary>How long the copy is given between the stop signal and the kill (as launched).</summary>
    public int StopGraceSeconds { get; private set; } = EngineRuntime.DefaultStopGraceSeconds;

    /// <summary>The command and environment it was launched with (an engine update does not change running copies).</summary>
    public EngineRuntime Runtime => new(_command, _environment, StopGraceSeconds);

    public IReadOnlyList<int> GpuIndexes => _gpuIndexes;

    /// <summary>The engine revision it was launched with.</summary>
    public int Revision { get; private set; } = 1;

    public EngineInstanceState State { get; private set; }

    public string? ContainerId { get; private set; }

    public Guid TokenId { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset StateChangedAt { get; private set; }

    public DateTimeOffset? RegisteredAt { get; private set; }

    public DateTimeOffset? LastHeartbeatAt { get; private set; }

    /// <summary>When the copy became running (the engine registered or heartbeated); null while it never ran.</summary>
    public DateTimeOffset? RunningSince { get; private set; }

    /// <summary>It holds work (or said so), as last heard while up: a stopped copy keeps what it was when stopped.</summary>
    public bool Busy { get; private set; }

    public string? StopReason { get; private set; }

    public int? ExitCode { get; private set; }

    /// <summary>Still runs, but a replacement was asked for elsewhere: no longer counted toward the engine.</summary>
    public bool Displaced { get; private set; }

    /// <summary>Pending, starting or running (displaced or not).</summary>
    public bool IsUp => IsActiveState(State);

    /// <summary>Counts toward the engine's desired number.</summary>
    public bool IsActive => IsUp && !Displaced;

    /// <summary>Holds its resources on the host (the container may still exist).</summary>
    public bool HoldsResources => IsUp || State == EngineInstanceState.Stopping;

    public bool IsEnded => State is EngineInstanceState.Stopped or EngineInstanceState.Failed or EngineInstanceState.Lost;

    public static bool IsActiveState(EngineInstanceState state) =>
        state is EngineInstanceState.Pending or EngineInstanceState.Starting or EngineInstanceState.Running;

    /// <summary>A launch decided for <paramref name="engine"/> on a host; counts the copy on the engine.</summary>
    public static EngineInstance Launch(Guid id, Engine engine, Guid hostId, IReadOnlyList<int> gpuIndexes, Guid tokenId, DateTimeOffset now)
    {
        if (gpuIndexes.Count != engine.Resources.GpuCount)
        {
            throw new DomainException("invalid_value", "A launch must name exactly as many GPUs as the engine needs.",
                new Dictionary<string, object?> { ["engineId"] = engine.Id });
        }

        engine.ReserveInstance();
        var runtime = engine.Runtime;
        var instance = new EngineInstance(id)
        {
            EngineId = engine.Id,
            HostId = hostId,
            Image = engine.Image,
            Revision = engine.Revision,
            Resources = engine.Resources,
            _command = runtime.Command is { } command ? [.. command] : null,
            _environment = new Dictionary<string, string>(runtime.Environment, StringComparer.Ordinal),
            StopGraceSeconds = runtime.StopGraceSeconds,
            _gpuIndexes = [.. gpuIndexes],
            State = EngineInstanceState.Pending,
            TokenId = tokenId,
            CreatedAt = now,
            StateChangedAt = now,
        };
        instance.Raise(ClusterEvent.Create(ClusterEventTypes.InstanceLaunched, now, $"A copy of {engine.Name} is launched ({engine.Image}).",
            hostId: hostId, engineId: engine.Id, instanceId: id));
        return instance;
    }

    /// <summary>The agent reports the container (created or running).</summary>
    public void ContainerSeen(string containerId, DateTimeOffset now)
    {
        ContainerId ??= containerId;
        if (State == EngineInstanceState.Pending)
        {
            MoveTo(EngineInstanceState.Starting, now);
        }
    }

    /// <summary>The engine announces itself. A second registration is a conflict.</summary>
    public void Register(DateTimeOffset now)
    {
        if (RegisteredAt is not null)
        {
            throw new DomainException("engine_instance_already_registered", "This engine instance is already registered.",
                new Dictionary<string, object?> { ["engineInstanceId"] = Id });
        }

        if (!IsUp)
        {
            throw Conflict("register");
        }

        RegisteredAt = now;
        LastHeartbeatAt = now;
        if (State != EngineInstanceState.Running)
        {
            MoveTo(EngineInstanceState.Running, now);
        }
    }

    /// <summary>
    /// The engine is alive; returns true when it just became running. With <paramref name="resolution"/>, a running
    /// copy's last heartbeat moves only once it is that old (a frequent caller such as getwork then writes the row only
    /// when something changed).
    /// </summary>
    public bool Heartbeat(bool busy, DateTimeOffset now, TimeSpan? resolution = null)
    {
        if (!IsUp)
        {
            return false;
        }

        Busy = busy;
        if (resolution is null || State != EngineInstanceState.Running || LastHeartbeatAt is not { } last || now - last >= resolution)
        {
            LastHeartbeatAt = now;
        }

        if (State == EngineInstanceState.Running)
        {
            return false;
        }

        MoveTo(EngineInstanceState.Running, now);
        return true;
    }

    /// <summary>
    /// True when a heartbeat at <paramref name="now"/> proves the copy healthy: it completes <paramref name="healthyAfter"/>
    /// of running (its previous heartbeat was before that), or makes it running when no time is asked for. Decided
    /// before the heartbeat is recorded, so that it holds for one call (or the few within the heartbeat resolution).
    /// </summary>
    public bool BecomesHealthyAt(DateTimeOffset now, TimeSpan healthyAfter)
    {
        if (!IsUp)
        {
            return false;
        }

        if (State != EngineInstanceState.Running)
        {
            return healthyAfter <= TimeSpan.Zero;
        }

        return RunningSince is { } since && now - since >= healthyAfter && (LastHeartbeatAt is not { } last || last - since < healthyAfter);
    }

    /// <summary>An ended copy had been running for at least <paramref name="healthyAfter"/> before it ended (not a crash loop).</summary>
    public bool RanHealthyFor(TimeSpan healthyAfter) => RunningSince is { } since && StateChangedAt - since >= healthyAfter;

    /// <summary>Send a terminate. Returns true when the copy left its engine's count.</summary>
    public bool RequestStop(string reason, DateTimeOffset now)
    {
        if (!IsUp)
        {
            return false;
        }

        var counted = IsActive;
        StopReason = reason;
        MoveTo(EngineInstanceState.Stopping, now);
        return counted;
    }

    /// <summary>
    /// Ask for a replacement elsewhere while this copy keeps running: its host drains, or its engine's labels no longer
    /// match its host (<paramref name="labelsChanged"/>). Returns true when the copy left its engine's count.
    /// </summary>
    public bool Displace(bool labelsChanged = false)
    {
        if (!IsActive)
        {
            return false;
        }

        Displaced = true;
        var why = labelsChanged ? "Its engine's labels no longer match its host" : "Its host drains";
        Raise(ClusterEvent.Create(ClusterEventTypes.InstanceDisplaced, StateChangedAt,
            $"{why}: a replacement starts elsewhere, then this copy stops.", HostId, EngineId, Id));
        return true;
    }

    /// <summary>A terminate was sent long ago and the container is still there or unreported: count it gone (its container is told to terminate again).</summary>
    public bool StopTimedOut(DateTimeOffset now)
    {
        if (State != EngineInstanceState.Stopping)
        {
            return false;
        }

        MoveTo(EngineInstanceState.Stopped, now, "stop_timeout");
        return true;
    }

    /// <summary>The container exited. Returns true when the copy left the active states (it failed).</summary>
    public bool ContainerExited(int? exitCode, DateTimeOffset now)
    {
        ExitCode = exitCode;
        if (State == EngineInstanceState.Stopping)
        {
            MoveTo(EngineInstanceState.Stopped, now);
            return false;
        }

        return Fail(ReasonExited, now);
    }

    /// <summary>The agent no longer reports a container that it had reported. Returns true when the copy failed.</summary>
    public bool ContainerGone(DateTimeOffset now)
    {
        switch (State)
        {
            case EngineInstanceState.Stopping:
                MoveTo(EngineInstanceState.Stopped, now);
                return false;
            case EngineInstanceState.Starting:
            case EngineInstanceState.Running:
                return Fail("container_disappeared", now);
            default:
                return false;
        }
    }

    /// <summary>The launch was not confirmed in time (the agent never listed the container).</summary>
    public bool LaunchTimedOut(DateTimeOffset now) => ContainerId is null && State != EngineInstanceState.Stopping && Fail("launch_timeout", now);

    /// <summary>The container runs but the engine never announced itself in time.</summary>
    public bool StartTimedOut(DateTimeOffset now) => State == EngineInstanceState.Starting && Fail("start_timeout", now);

    /// <summary>The engine stopped heartbeating.</summary>
    public bool HeartbeatTimedOut(DateTimeOffset now) => State == EngineInstanceState.Running && Fail("heartbeat_timeout", now);

    /// <summary>The host was lost. Returns true when the copy left the active states.</summary>
    public bool MarkLost(DateTimeOffset now)
    {
        if (IsEnded)
        {
            return false;
        }

        var counted = IsActive;
        MoveTo(EngineInstanceState.Lost, now);
        return counted;
    }

    private bool Fail(string reason, DateTimeOffset now)
    {
        if (!IsUp)
        {
            return false;
        }

        var counted = IsActive;
        StopReason = reason;
        MoveTo(EngineInstanceState.Failed, now);
        return counted;
    }

    private void MoveTo(EngineInstanceState state, DateTimeOffset now, string? stoppedBy = null)
    {
        State = state;
        StateChangedAt = now;
        if (state == EngineInstanceState.Running)
        {
            RunningSince ??= now;
        }

        var (type, message) = state switch
        {
            EngineInstanceState.Starting => (ClusterEventTypes.InstanceStarting, "The agent reports the container; the engine has yet to announce itself."),
            EngineInstanceState.Running => (ClusterEventTypes.InstanceRunning, "The engine announced itself and runs."),
            EngineInstanceState.Stopping => (ClusterEventTypes.InstanceStopping, $"Told to terminate: {StopReason}."),
            EngineInstanceState.Stopped when stoppedBy is not null => (ClusterEventTypes.InstanceStopped, "Counted as stopped: its container was not seen to end in time (it is told to terminate again)."),
            EngineInstanceState.Stopped => (ClusterEventTypes.InstanceStopped, ExitCode is { } code ? $"Stopped (exit code {code})." : "Stopped."),
            EngineInstanceState.Failed => (ClusterEventTypes.InstanceFailed, ExitCode is { } code ? $"Failed: {StopReason} (exit code {code})." : $"Failed: {StopReason}."),
            EngineInstanceState.Lost => (ClusterEventTypes.InstanceLost, "Lost with its host."),
            _ => (ClusterEventTypes.InstanceLaunched, "Pending."),
        };
        var reason = state is EngineInstanceState.Stopping or EngineInstanceState.Failed ? StopReason : stoppedBy;
        Raise(ClusterEvent.Create(type, now, message, HostId, EngineId, Id, reason,
            state is EngineInstanceState.Stopped or EngineInstanceState.Failed ? ExitCode : null));
    }

    private DomainException Conflict(string action) =>
        new("engine_instance_state_conflict", $"Cannot {action} an engine instance that is {State.ToString().ToLowerInvariant()}.",
            new Dictionary<string, object?> { ["engineInstanceId"] = Id, ["state"] = State.ToString().ToLowerInvariant() });
}
