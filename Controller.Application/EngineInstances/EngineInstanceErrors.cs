using Controller.Application.Common.Exceptions;

namespace Controller.Application.EngineInstances;

internal static class EngineInstanceErrors
{
    public static NotFoundException NotFound(Guid id) =>
        new("engine_instance_not_found", $"No engine instance with id {id}.", new Dictionary<string, object?> { ["engineInstanceId"] = id });
}
