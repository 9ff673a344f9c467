using Controller.Domain.Common;
using Controller.Domain.Engines;

namespace Controller.Domain.EngineInstances;

/// <summary>
/// One copy of an engine on one host (one container). Lifecycle:
/// pending → starting → running → stopping → stopped; failed when a launch is not confirmed in time,
/// the container exits on its own or the engine falls silent; lost with its host.
/// Every transition that leaves the active states (pending, starting, running) returns true so that the
/// caller releases the copy from its engine's count.
/// </summary>
public sealed class EngineInstance : Entity
{
    private List<int> _gpuIndexes = [];

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

    public IReadOnlyList<int> GpuIndexes => _gpuIndexes;

    public EngineInstanceState State { get; private set; }

    public string? ContainerId { get; private set; }

    public Guid TokenId { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset StateChangedAt { get; private set; }

    public DateTimeOffset? RegisteredAt { get; private set; }

    public DateTimeOffset? LastHeartbeatAt { get; private set; }

    public bool Busy { get; private set; }

    public string? StopReason { get; private set; }

    public int? ExitCode { get; private set; }

    /// <summary>Counts toward the engine's desired number.</summary>
    public bool IsActive => IsActiveState(State);

    /// <summary>Holds its resources on the host (the container may still exist).</summary>
    public bool HoldsResources => IsActive || State == EngineInstanceState.Stopping;

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
        return new EngineInstance(id)
        {
            EngineId = engine.Id,
            HostId = hostId,
            Image = engine.Image,
            Resources = engine.Resources,
            _gpuIndexes = [.. gpuIndexes],
            State = EngineInstanceState.Pending,
            TokenId = tokenId,
            CreatedAt = now,
            StateChangedAt = now,
        };
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

        if (!IsActive)
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

    /// <summary>The engine is alive; returns true when it just became running.</summary>
    public bool Heartbeat(bool busy, DateTimeOffset now)
    {
        Busy = busy;
        if (!IsActive)
        {
            return false;
        }

        LastHeartbeatAt = now;
        if (State == EngineInstanceState.Running)
        {
            return false;
        }

        MoveTo(EngineInstanceState.Running, now);
        return true;
    }

    /// <summary>Send a terminate. Returns true when the copy left the active states.</summary>
    public bool RequestStop(string reason, DateTimeOffset now)
    {
        if (!IsActive)
        {
            return false;
        }

        StopReason = reason;
        MoveTo(EngineInstanceState.Stopping, now);
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

        return Fail("exited", now);
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

    /// <summary>The launch was not confirmed in time.</summary>
    public bool LaunchTimedOut(DateTimeOffset now) => State == EngineInstanceState.Pending && Fail("launch_timeout", now);

    /// <summary>The engine stopped heartbeating.</summary>
    public bool HeartbeatTimedOut(DateTimeOffset now) => State == EngineInstanceState.Running && Fail("heartbeat_timeout", now);

    /// <summary>The host was lost. Returns true when the copy left the active states.</summary>
    public bool MarkLost(DateTimeOffset now)
    {
        if (IsEnded)
        {
            return false;
        }

        var wasActive = IsActive;
        MoveTo(EngineInstanceState.Lost, now);
        return wasActive;
    }

    private bool Fail(string reason, DateTimeOffset now)
    {
        if (!IsActive)
        {
            return false;
        }

        StopReason = reason;
        MoveTo(EngineInstanceState.Failed, now);
        return true;
    }

    private void MoveTo(EngineInstanceState state, DateTimeOffset now)
    {
        State = state;
        StateChangedAt = now;
    }

    private DomainException Conflict(string action) =>
        new("engine_instance_state_conflict", $"Cannot {action} an engine instance that is {State.ToString().ToLowerInvariant()}.",
            new Dictionary<string, object?> { ["engineInstanceId"] = Id, ["state"] = State.ToString().ToLowerInvariant() });
}
