using Controller.Domain.Tokens;

namespace Controller.Application.Common.Security;

public static class TokenRevocation
{
    /// <summary>Revoke the tokens and forget their cached validation on this replica.</summary>
    public static void RevokeAll(this ITokenService tokenService, IEnumerable<Token> tokens, DateTimeOffset now)
    {
        foreach (var token in tokens)
        {
            token.Revoke(now);
            tokenService.Evict(token.Hash);
        }
    }
}
