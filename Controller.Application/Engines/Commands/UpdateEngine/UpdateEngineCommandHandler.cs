using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Application.Engines.Models;
using Mediator;

namespace Controller.Application.Engines.Commands.UpdateEngine;

/// <summary>
/// Replaces the definition. The placement rounds write the engine's row too (its counts): the change runs under this
/// replica's placement gate, and a save that loses the race to another replica is done again on the fresh row
/// (<see cref="Common.ConflictRetry.Attempts"/> times in all), so an admin's change does not fail because the scheduler was busy.
/// </summary>
public sealed class UpdateEngineCommandHandler(IEngineRepository engines, IUnitOfWork unitOfWork, IPlacementGate placementGate, TimeProvider clock)
    : ICommandHandler<UpdateEngineCommand, EngineDto>
{
    public async ValueTask<EngineDto> Handle(UpdateEngineCommand command, CancellationToken cancellationToken) =>
        await EngineUpdates.RunAsync(unitOfWork, placementGate, async () =>
        {
            var engine = await EngineUpdates.FindLiveAsync(engines, command.EngineId, cancellationToken);
            return await ApplyAsync(engine, command.Definition, engines, unitOfWork, clock, cancellationToken);
        }, cancellationToken);

    /// <summary>Replaces the engine's definition (PUT, and PATCH once merged): names stay unique among live engines.</summary>
    internal static async Task<EngineDto> ApplyAsync(
        Domain.Engines.Engine engine,
        EngineDefinition definition,
        IEngineRepository engines,
        IUnitOfWork unitOfWork,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var spec = definition.ToSpec();
        if (await engines.FindLiveByNameAsync(spec.Name, cancellationToken) is { } other && other.Id != engine.Id)
        {
            throw EngineErrors.NameTaken(spec.Name, other.Id);
        }

        engine.Update(spec, clock.GetUtcNow());
        try
        {
            await unitOfWork.SaveChangesAsync(cancellationToken);
        }
        catch (UniqueConstraintViolationException)
        {
            throw EngineErrors.NameTaken(spec.Name, null);
        }

        return engine.ToDto();
    }
}
