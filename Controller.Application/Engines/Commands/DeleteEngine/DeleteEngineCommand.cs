using Controller.Application.Common.Interfaces;
using Controller.Application.Engines.Models;
using Controller.Domain.Engines;
using Mediator;

namespace Controller.Application.Engines.Commands.DeleteEngine;

/// <summary>Delete an engine: its instances are stopped by the next status rounds, then it is gone.</summary>
public sealed record DeleteEngineCommand(Guid EngineId) : ICommand<EngineDto>;

public sealed class DeleteEngineCommandHandler(IEngineRepository engines, IUnitOfWork unitOfWork, TimeProvider clock)
    : ICommandHandler<DeleteEngineCommand, EngineDto>
{
    public async ValueTask<EngineDto> Handle(DeleteEngineCommand command, CancellationToken cancellationToken)
    {
        var engine = await engines.FindAsync(command.EngineId, cancellationToken);
        if (engine is null || engine.State == EngineState.Deleted)
        {
            throw EngineErrors.NotFound(command.EngineId);
        }

        var now = clock.GetUtcNow();
        engine.Delete(now);
        if (engine.ActiveInstances == 0)
        {
            engine.CompleteDeletion(now);
        }

        await unitOfWork.SaveChangesAsync(cancellationToken);
        return engine.ToDto();
    }
}
