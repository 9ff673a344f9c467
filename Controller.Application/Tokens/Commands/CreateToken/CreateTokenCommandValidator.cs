using Controller.Domain.Common;
using Controller.Domain.Tokens;
using FluentValidation;

namespace Controller.Application.Tokens.Commands.CreateToken;

public sealed class CreateTokenCommandValidator : AbstractValidator<CreateTokenCommand>
{
    /// <remarks>Whether <c>expiresAt</c> lies in the future is the token's own rule (it is given 'now'); validators read no clock.</remarks>
    public CreateTokenCommandValidator()
    {
        RuleFor(c => c.Kind).NotNull()
            .Must(k => k is TokenKind.Admin or TokenKind.Registration or TokenKind.Client or TokenKind.Viewer)
            .WithMessage("'kind' must be 'admin', 'registration', 'client' or 'viewer'; host and engine-instance tokens are issued by the controller itself.");
        RuleFor(c => c.Name).NotEmpty().MaximumLength(Limits.NameMaxLength);
    }
}
