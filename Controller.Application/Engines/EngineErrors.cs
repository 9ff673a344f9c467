namespace Controller.Application.Engines;

internal static class EngineErrors
{
    public static Common.Exceptions.NotFoundException NotFound(Guid engineId) =>
        new("engine_not_found", $"No engine with id {engineId}.", new Dictionary<string, object?> { ["engineId"] = engineId });

    public static Common.Exceptions.NotFoundException RevisionNotFound(Guid engineId, int? revision) =>
        new("engine_revision_not_found",
            revision is null ? "The engine has no earlier revision to roll back to." : $"The engine has no revision {revision} (GET /engine/{engineId}/revisions lists those kept).",
            new Dictionary<string, object?> { ["engineId"] = engineId, ["revision"] = revision });

    public static Common.Exceptions.ConflictException NameTaken(string name, Guid? engineId) =>
        new("engine_name_taken", $"An engine named '{name}' already exists.", new Dictionary<string, object?> { ["engineId"] = engineId, ["name"] = name });
}
