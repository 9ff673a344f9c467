using Controller.Application.Engines.Models;
using FluentValidation;

namespace Controller.Application.Engines.Commands.CreateEngine;

public sealed class CreateEngineCommandValidator : AbstractValidator<CreateEngineCommand>
{
    public CreateEngineCommandValidator() => RuleFor(c => c.Definition).SetValidator(new EngineDefinitionValidator()).OverridePropertyName(string.Empty);
}
