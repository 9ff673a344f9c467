using Controller.Application.Common.Models;
using Controller.Domain.EngineInstances;

namespace Controller.Application.EngineInstances.Models;

public sealed record EngineInstanceDto(
    Guid EngineInstanceId,
    Guid EngineId,
    Guid HostId,
    string Image,
    ResourcesDto Resources,
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
