using Controller.Application.Common.Models;
using Controller.Domain.Common;
using Controller.Domain.Hosts;
using Riok.Mapperly.Abstractions;

namespace Controller.Application.Hosts.Models;

[Mapper(RequiredMappingStrategy = RequiredMappingStrategy.Target)]
public static partial class HostMapper
{
    [MapProperty(nameof(Host.Id), nameof(HostSummaryDto.HostId))]
    public static partial HostSummaryDto ToSummary(this Host host);

    [MapProperty(nameof(Host.Id), nameof(HostDetailDto.HostId))]
    [MapValue(nameof(HostDetailDto.Allocated), Use = nameof(NoAllocation))]
    [MapValue(nameof(HostDetailDto.EngineInstances), Use = nameof(NoInstances))]
    private static partial HostDetailDto ToDetailCore(Host host);

    public static HostDetailDto ToDetail(this Host host, Resources allocated, IReadOnlyList<HostInstanceDto> instances) =>
        ToDetailCore(host) with { Allocated = ResourcesDto.From(allocated), EngineInstances = instances };

    public static partial GpuDto ToDto(this GpuDevice gpu);

    private static ResourcesDto MapResources(Resources resources) => ResourcesDto.From(resources);

    private static ResourcesDto NoAllocation() => ResourcesDto.From(Resources.Zero);

    private static IReadOnlyList<HostInstanceDto> NoInstances() => [];
}
