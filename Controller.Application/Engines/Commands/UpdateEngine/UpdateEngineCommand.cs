using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Application.Engines.Models;
using FluentValidation;
using Mediator;

namespace Controller.Application.Engines.Commands.UpdateEngine;

/// <summary>Replace an engine's definition (PUT). A changed desired count is converged to by the next status rounds.</summary>
public sealed record UpdateEngineCommand(Guid EngineId, EngineDefinition Definition) : ICommand<EngineDto>;

public sealed class UpdateEngineCommandValidator : AbstractValidator<UpdateEngineCommand>
{
    public UpdateEngineCommandValidator() => RuleFor(c => c.Definition).SetValidator(new EngineDefinitionValidator()).OverridePropertyName(string.Empty);
}

public sealed class UpdateEngineCommandHandler(IEngineRepository engines, IUnitOfWork unitOfWork, TimeProvider clock)
    : ICommandHandler<UpdateEngineCommand, EngineDto>
{
    public async ValueTask<EngineDto> Handle(UpdateEngineCommand command, CancellationToken cancellationToken)
    {
        var engine = await engines.FindAsync(command.EngineId, cancellationToken);
        if (engine is null || engine.State == Domain.Engines.EngineState.Deleted)
        {
            throw EngineErrors.NotFound(command.EngineId);
        }

        return await ApplyAsync(engine, command.Definition, engines, unitOfWork, clock, cancellationToken);
    }

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
