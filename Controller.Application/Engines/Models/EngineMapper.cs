using Controller.Application.Common.Models;
using Controller.Domain.Common;
using Controller.Domain.Engines;
using Riok.Mapperly.Abstractions;

namespace Controller.Application.Engines.Models;

[Mapper(RequiredMappingStrategy = RequiredMappingStrategy.Target)]
public static partial class EngineMapper
{
    [MapProperty(nameof(Engine.Id), nameof(EngineDto.EngineId))]
    [MapperIgnoreTarget(nameof(EngineDto.Backlog))]
    [MapProperty($"{nameof(Engine.Runtime)}.{nameof(EngineRuntime.Command)}", nameof(EngineDto.Command))]
    [MapProperty($"{nameof(Engine.Runtime)}.{nameof(EngineRuntime.Environment)}", nameof(EngineDto.Environment))]
    public static partial EngineDto ToDto(this Engine engine);

    private static EngineScalingDto MapScaling(EngineScaling scaling) => new(scaling.Mode, scaling.TargetTasksPerInstance, scaling.ScaleDownAfterSeconds);

    private static ResourcesDto MapResources(Resources resources) => ResourcesDto.From(resources);
}
