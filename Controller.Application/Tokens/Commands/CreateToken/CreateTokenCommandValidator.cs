using Controller.Domain.Common;
using Controller.Domain.Tokens;
using FluentValidation;

namespace Controller.Application.Tokens.Commands.CreateToken;

public sealed class CreateTokenCommandValidator : AbstractValidator<CreateTokenCommand>
{
    public CreateTokenCommandValidator(TimeProvider clock)
    {
        RuleFor(c => c.Kind).NotNull()
            .Must(k => k is TokenKind.Admin or TokenKind.Registration)
            .WithMessage("'kind' must be 'admin' or 'registration'; host and engine-instance tokens are issued by the controller itself.");
        RuleFor(c => c.Name).NotEmpty().MaximumLength(Limits.NameMaxLength);
        RuleFor(c => c.ExpiresAt).Must(e => e > clock.GetUtcNow()).When(c => c.ExpiresAt is not null)
            .WithMessage("'expiresAt' must be in the future.");
    }
}
