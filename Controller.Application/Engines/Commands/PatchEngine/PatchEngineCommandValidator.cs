using FluentValidation;

namespace Controller.Application.Engines.Commands.PatchEngine;

public sealed class PatchEngineCommandValidator : AbstractValidator<PatchEngineCommand>
{
    public PatchEngineCommandValidator() =>
        RuleFor(c => c.Patch).NotNull().WithMessage("The body must be a JSON object (a merge patch).").OverridePropertyName("body");
}
