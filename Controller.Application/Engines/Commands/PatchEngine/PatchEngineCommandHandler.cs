using System.Text.Json;
using System.Text.Json.Serialization;
using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Models;
using Controller.Application.Engines.Commands.UpdateEngine;
using Controller.Application.Engines.Models;
using Mediator;

namespace Controller.Application.Engines.Commands.PatchEngine;

/// <summary>Reads the engine, merges the patch into its definition, validates the result and saves it like a PUT, in one unit of work.</summary>
public sealed class PatchEngineCommandHandler(IEngineRepository engines, IEngineRevisionRepository revisions, IUnitOfWork unitOfWork, IPlacementGate placementGate, TimeProvider clock)
    : ICommandHandler<PatchEngineCommand, EngineDto>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.Strict,
        // A typo in a patch must not be ignored: the merged definition has exactly the fields of an engine definition.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,

        // Enums as on the wire ("queue", not 1).
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false) },
    };

    // A save that loses a race with the placement rounds merges the patch again into the fresh row.
    public async ValueTask<EngineDto> Handle(PatchEngineCommand command, CancellationToken cancellationToken) =>
        await EngineUpdates.RunAsync(unitOfWork, placementGate, () => PatchAsync(command, cancellationToken), cancellationToken);

    private async Task<EngineDto> PatchAsync(PatchEngineCommand command, CancellationToken cancellationToken)
    {
        var engine = await EngineUpdates.FindLiveAsync(engines, command.EngineId, cancellationToken);
        var current = JsonSerializer.SerializeToNode(EngineDefinition.Of(engine), Json)!;
        var merged = MergePatch.Apply(current, command.Patch!);
        EngineDefinition definition;
        try
        {
            definition = merged.Deserialize<EngineDefinition>(Json)
                ?? throw new RequestValidationException(new Dictionary<string, string[]> { ["body"] = ["The patched definition is empty."] });
        }
        catch (JsonException e)
        {
            var path = e.Path?.TrimStart('$', '.') is { Length: > 0 } p ? p : "body";
            throw new RequestValidationException(new Dictionary<string, string[]> { [path] = ["The patched value has the wrong type, or the field is unknown."] });
        }

        var result = await new EngineDefinitionValidator().ValidateAsync(definition, cancellationToken);
        if (!result.IsValid)
        {
            throw new RequestValidationException(result.Errors
                .GroupBy(f => Common.Behaviours.ValidationPaths.ToCamelPath(f.PropertyName), StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Select(f => f.ErrorMessage).ToArray(), StringComparer.Ordinal));
        }

        // Naming the count while the queue keeps deciding it (the patch leaves the scaling as it is) has no effect: refused.
        if (command.Patch!.ContainsKey("desiredInstances") && !command.Patch.ContainsKey("scaling"))
        {
            engine.EnsureDesiredCountSettable(definition.DesiredInstances!.Value);
        }

        return await UpdateEngineCommandHandler.ApplyAsync(engine, definition, new(engines, revisions, unitOfWork, clock), cancellationToken);
    }
}
