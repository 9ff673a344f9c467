using Controller.Application.Common.Models;
using Controller.Domain.Common;
using Controller.Domain.EngineInstances;
using Riok.Mapperly.Abstractions;

namespace Controller.Application.EngineInstances.Models;

[Mapper(RequiredMappingStrategy = RequiredMappingStrategy.Target)]
public static partial class EngineInstanceMapper
{
    [MapProperty(nameof(EngineInstance.Id), nameof(EngineInstanceDto.EngineInstanceId))]
    public static partial EngineInstanceDto ToDto(this EngineInstance instance);

    private static ResourcesDto MapResources(Resources resources) => ResourcesDto.From(resources);
}
