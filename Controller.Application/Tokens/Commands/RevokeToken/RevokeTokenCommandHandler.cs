using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Security;
using Controller.Domain.Tokens;
using Mediator;

namespace Controller.Application.Tokens.Commands.RevokeToken;

public sealed class RevokeTokenCommandHandler(ITokenRepository tokens, IUnitOfWork unitOfWork, ITokenService tokenService, TimeProvider clock)
    : ICommandHandler<RevokeTokenCommand>
{
    public async ValueTask<Unit> Handle(RevokeTokenCommand command, CancellationToken cancellationToken)
    {
        var token = await tokens.FindAsync(command.TokenId, cancellationToken)
            ?? throw new NotFoundException("token_not_found", $"No token with id {command.TokenId}.",
                new Dictionary<string, object?> { ["tokenId"] = command.TokenId });

        if (token is { Kind: TokenKind.Admin, IsRevoked: false })
        {
            var others = await tokens.ListAsync(TokenKind.Admin, includeRevoked: false, 0, 2, cancellationToken);
            if (others.Total <= 1)
            {
                throw new ConflictException("last_admin_token", "The last admin token cannot be revoked: create another admin token first.",
                    new Dictionary<string, object?> { ["tokenId"] = token.Id });
            }
        }

        token.Revoke(clock.GetUtcNow());
        await unitOfWork.SaveChangesAsync(cancellationToken);
        tokenService.Evict(token.Hash);
        return Unit.Value;
    }
}
