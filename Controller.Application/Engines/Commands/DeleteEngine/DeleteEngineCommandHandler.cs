using Controller.Application.Common.Interfaces;
using Controller.Application.Engines.Models;
using Mediator;

namespace Controller.Application.Engines.Commands.DeleteEngine;

/// <summary>Marks the engine deleted (gone at once when no copy is left); a save that loses a race with the placement rounds is done again on the fresh row.</summary>
public sealed class DeleteEngineCommandHandler(IEngineRepository engines, IUnitOfWork unitOfWork, IPlacementGate placementGate, TimeProvider clock)
    : ICommandHandler<DeleteEngineCommand, EngineDto>
{
    public async ValueTask<EngineDto> Handle(DeleteEngineCommand command, CancellationToken cancellationToken) =>
        await EngineUpdates.RunAsync(unitOfWork, placementGate, async () =>
        {
            var engine = await EngineUpdates.FindLiveAsync(engines, command.EngineId, cancellationToken);
            var now = clock.GetUtcNow();
            engine.Delete(now);
            if (engine.ActiveInstances == 0)
            {
                engine.CompleteDeletion(now);
            }

            await unitOfWork.SaveChangesAsync(cancellationToken);
            return engine.ToDto();
        }, cancellationToken);
}
