using FluentValidation;

namespace Controller.Application.Engines.Commands.RollBackEngine;

public sealed class RollBackEngineCommandValidator : AbstractValidator<RollBackEngineCommand>
{
    public RollBackEngineCommandValidator() => RuleFor(c => c.Revision).GreaterThanOrEqualTo(1).When(c => c.Revision is not null);
}
