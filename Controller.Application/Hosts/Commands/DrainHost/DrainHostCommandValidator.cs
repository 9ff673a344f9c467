using FluentValidation;

namespace Controller.Application.Hosts.Commands.DrainHost;

public sealed class DrainHostCommandValidator : AbstractValidator<DrainHostCommand>
{
    public DrainHostCommandValidator() => RuleFor(c => c.DeadlineSeconds).InclusiveBetween(0, 7 * 86_400);
}
