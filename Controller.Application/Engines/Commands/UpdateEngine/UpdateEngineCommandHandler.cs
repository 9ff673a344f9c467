using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Application.Engines.Models;
using Controller.Domain.Engines;
using Mediator;

namespace Controller.Application.Engines.Commands.UpdateEngine;

/// <summary>
/// Replaces the definition. The placement rounds write the engine's row too (its counts): the change runs under this
/// replica's placement gate, and a save that loses the race to another replica is done again on the fresh row
/// (<see cref="Common.ConflictRetry.Attempts"/> times in all), so an admin's change does not fail because the scheduler was busy.
/// </summary>
public sealed class UpdateEngineCommandHandler(IEngineRepository engines, IEngineRevisionRepository revisions, IUnitOfWork unitOfWork, IPlacementGate placementGate, TimeProvider clock)
    : ICommandHandler<UpdateEngineCommand, EngineDto>
{
    public async ValueTask<EngineDto> Handle(UpdateEngineCommand command, CancellationToken cancellationToken) =>
        await EngineUpdates.RunAsync(unitOfWork, placementGate, async () =>
        {
            var engine = await EngineUpdates.FindLiveAsync(engines, command.EngineId, cancellationToken);
            return await ApplyAsync(engine, command.Definition, new(engines, revisions, unitOfWork, clock), cancellationToken);
        }, cancellationToken);

    /// <summary>
    /// Replaces the engine's definition (PUT, and PATCH once merged): names stay unique among live engines; a change to
    /// what copies run is kept as a new revision (and the one it replaces, if an older version did not keep it).
    /// </summary>
    internal static async Task<EngineDto> ApplyAsync(Domain.Engines.Engine engine, EngineDefinition definition, EngineStore store, CancellationToken cancellationToken)
    {
        var spec = definition.ToSpec();
        if (await store.Engines.FindLiveByNameAsync(spec.Name, cancellationToken) is { } other && other.Id != engine.Id)
        {
            throw EngineErrors.NameTaken(spec.Name, other.Id);
        }

        var now = store.Clock.GetUtcNow();
        var previous = EngineRevision.Of(engine, now);
        if (engine.Update(spec, now))
        {
            if (await store.Revisions.FindAsync(engine.Id, previous.Number, cancellationToken) is null)
            {
                store.Revisions.Add(previous);
            }

            store.Revisions.Add(EngineRevision.Of(engine, now));
        }

        try
        {
            await store.UnitOfWork.SaveChangesAsync(cancellationToken);
        }
        catch (UniqueConstraintViolationException)
        {
            throw EngineErrors.NameTaken(spec.Name, null);
        }

        await store.Revisions.PruneAsync(engine, cancellationToken);
        return engine.ToDto();
    }
}
