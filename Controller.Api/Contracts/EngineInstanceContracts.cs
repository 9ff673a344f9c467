namespace Controller.Api.Contracts;

/// <summary>pending → starting → running → stopping → stopped; failed; lost with its host.</summary>
public enum EngineInstanceState
{
    Pending,
    Starting,
    Running,
    Stopping,
    Stopped,
    Failed,
    Lost,
}

/// <summary>Body of POST /engine_instance/{id}/heartbeat.</summary>
public sealed record HeartbeatRequest(bool? Busy);

/// <summary>
/// The answer to a heartbeat: whether the engine may take new work, whether it should stop, and which tasks it holds were
/// cancelled (drop them: their outcomes are refused).
/// </summary>
public sealed record HeartbeatResponse(bool AcceptWork, bool Stop, EngineInstanceState State, IReadOnlyList<Guid> CancelledTaskIds);

/// <summary>One engine instance (a container on a host); <c>revision</c>: the engine revision it was launched with.</summary>
public sealed record EngineInstanceResponse(
    Guid EngineInstanceId,
    Guid EngineId,
    Guid HostId,
    string Image,
    ResourcesResponse Resources,
    IReadOnlyList<int> GpuIndexes,
    EngineInstanceState State,
    bool Displaced,
    string? ContainerId,
    bool Busy,
    string? StopReason,
    int? ExitCode,
    DateTimeOffset CreatedAt,
    DateTimeOffset StateChangedAt,
    DateTimeOffset? RegisteredAt,
    DateTimeOffset? LastHeartbeatAt,
    int Revision);
