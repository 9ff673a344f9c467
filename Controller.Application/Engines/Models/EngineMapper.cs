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
    [MapperIgnoreTarget(nameof(EngineDto.Rollout))]
    [MapProperty(nameof(Engine.UpdatePolicy), nameof(EngineDto.Update))]
    [MapProperty($"{nameof(Engine.Runtime)}.{nameof(EngineRuntime.Command)}", nameof(EngineDto.Command))]
    [MapProperty($"{nameof(Engine.Runtime)}.{nameof(EngineRuntime.Environment)}", nameof(EngineDto.Environment))]
    public static partial EngineDto ToDto(this Engine engine);

    private static EngineScalingDto MapScaling(EngineScaling scaling) => new(scaling.Mode, scaling.TargetTasksPerInstance, scaling.ScaleDownAfterSeconds);

    private static EngineUpdateDto MapUpdate(UpdatePolicy policy) =>
        new(policy.MaxSurge.ToString(), policy.MaxUnavailable.ToString(), policy.HealthyAfterSeconds, policy.ProgressDeadlineSeconds, policy.AutoRevert);

    public static EngineRevisionDto ToDto(this EngineRevision revision, Engine engine) =>
        new(revision.Number, revision.Image, ResourcesDto.From(revision.Resources), revision.Command, revision.Environment, revision.CreatedAt,
            revision.Number == engine.Revision, revision.Number == engine.StableRevision);

    private static ResourcesDto MapResources(Resources resources) => ResourcesDto.From(resources);
}
