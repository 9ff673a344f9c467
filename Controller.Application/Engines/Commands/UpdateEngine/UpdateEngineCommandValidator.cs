using Controller.Application.Engines.Models;
using FluentValidation;

namespace Controller.Application.Engines.Commands.UpdateEngine;

public sealed class UpdateEngineCommandValidator : AbstractValidator<UpdateEngineCommand>
{
    public UpdateEngineCommandValidator() => RuleFor(c => c.Definition).SetValidator(new EngineDefinitionValidator()).OverridePropertyName(string.Empty);
}
