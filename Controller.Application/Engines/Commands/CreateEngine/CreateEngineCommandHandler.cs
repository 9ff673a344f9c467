using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Application.Engines.Models;
using Controller.Domain.Engines;
using Mediator;

namespace Controller.Application.Engines.Commands.CreateEngine;

/// <summary>Adds the engine and its first revision.</summary>
public sealed class CreateEngineCommandHandler(IEngineRepository engines, IEngineRevisionRepository revisions, IUnitOfWork unitOfWork, TimeProvider clock)
    : ICommandHandler<CreateEngineCommand, EngineDto>
{
    public async ValueTask<EngineDto> Handle(CreateEngineCommand command, CancellationToken cancellationToken)
    {
        var spec = command.Definition.ToSpec();
        if (await engines.FindLiveByNameAsync(spec.Name, cancellationToken) is { } existing)
        {
            throw EngineErrors.NameTaken(spec.Name, existing.Id);
        }

        var now = clock.GetUtcNow();
        var engine = Engine.Create(Guid.CreateVersion7(now), spec, now);
        engines.Add(engine);
        revisions.Add(EngineRevision.Of(engine, now));
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
