namespace Controller.Application.Engines;

internal static class EngineErrors
{
    public static Common.Exceptions.NotFoundException NotFound(Guid engineId) =>
        new("engine_not_found", $"No engine with id {engineId}.", new Dictionary<string, object?> { ["engineId"] = engineId });

    public static Common.Exceptions.ConflictException NameTaken(string name, Guid? engineId) =>
        new("engine_name_taken", $"An engine named '{name}' already exists.", new Dictionary<string, object?> { ["engineId"] = engineId, ["name"] = name });
}
