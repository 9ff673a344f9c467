using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Models;
using Controller.Domain.Common;
using Controller.Domain.EngineInstances;
using Riok.Mapperly.Abstractions;

namespace Controller.Application.EngineInstances;

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
    DateTimeOffset? LastHeartbeatAt);

/// <summary>
/// The answer to a heartbeat: whether the engine may take new work, whether it should stop, and the tasks it holds that
/// were cancelled (it should drop them; their outcomes are not kept).
/// </summary>
public sealed record HeartbeatAnswer(bool AcceptWork, bool Stop, EngineInstanceState State, IReadOnlyList<Guid> CancelledTaskIds);

[Mapper(RequiredMappingStrategy = RequiredMappingStrategy.Target)]
public static partial class EngineInstanceMapper
{
    [MapProperty(nameof(EngineInstance.Id), nameof(EngineInstanceDto.EngineInstanceId))]
    public static partial EngineInstanceDto ToDto(this EngineInstance instance);

    private static ResourcesDto MapResources(Resources resources) => ResourcesDto.From(resources);
}

internal static class EngineInstanceErrors
{
    public static NotFoundException NotFound(Guid id) =>
        new("engine_instance_not_found", $"No engine instance with id {id}.", new Dictionary<string, object?> { ["engineInstanceId"] = id });
}
