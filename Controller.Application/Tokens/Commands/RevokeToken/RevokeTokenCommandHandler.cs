using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Security;
using Controller.Domain.Tokens;
using Mediator;

namespace Controller.Application.Tokens.Commands.RevokeToken;

/// <summary>
/// Revokes a token. The last working admin token (neither revoked nor expired) cannot be revoked: revoking an
/// admin token also saves every other working admin token as changed, so that of two revokes at once (on any
/// replica) one loses on a version, is retried, and then sees that only one admin is left.
/// </summary>
public sealed class RevokeTokenCommandHandler(ITokenRepository tokens, IUnitOfWork unitOfWork, ITokenService tokenService, TimeProvider clock)
    : ICommandHandler<RevokeTokenCommand>
{
    private const int Attempts = 8;

    public async ValueTask<Unit> Handle(RevokeTokenCommand command, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await RevokeAsync(command.TokenId, cancellationToken);
                return Unit.Value;
            }
            catch (ConcurrencyConflictException) when (attempt < Attempts)
            {
                unitOfWork.Reset();
            }
        }
    }

    private async Task RevokeAsync(Guid tokenId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var token = await tokens.FindAsync(tokenId, cancellationToken)
            ?? throw new NotFoundException("token_not_found", $"No token with id {tokenId}.",
                new Dictionary<string, object?> { ["tokenId"] = tokenId });

        if (token.Kind == TokenKind.Admin && token.IsValidAt(now))
        {
            var others = (await tokens.ListWorkingAdminsAsync(now, cancellationToken)).Where(t => t.Id != token.Id).ToList();
            if (others.Count == 0)
            {
                throw new ConflictException("last_admin_token", "The last working admin token cannot be revoked: create another admin token first.",
                    new Dictionary<string, object?> { ["tokenId"] = token.Id });
            }

            foreach (var other in others)
            {
                tokens.MarkChanged(other);
            }
        }

        token.Revoke(now);
        await unitOfWork.SaveChangesAsync(cancellationToken);
        tokenService.Evict(token.Hash);
    }
}
