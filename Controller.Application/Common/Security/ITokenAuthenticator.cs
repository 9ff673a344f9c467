using Controller.Domain.Tokens;

namespace Controller.Application.Common.Security;

/// <summary>What the authentication handler needs to know about a token, cached for a few seconds.</summary>
public sealed record TokenSnapshot(Guid Id, string Name, TokenKind Kind, Guid? HostId, Guid? EngineInstanceId, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, byte[] Hash)
{
    public DateTimeOffset? FirstUsedAt { get; init; }
}

public enum TokenCheck
{
    Valid,
    Unknown,
    Expired,
    Revoked,
}

/// <summary>Looks a presented secret up (by its hash) and says whether it may authenticate a request now.</summary>
public interface ITokenAuthenticator
{
    Task<(TokenCheck Check, TokenSnapshot? Token)> AuthenticateAsync(string secret, CancellationToken cancellationToken);

    /// <summary>
    /// Whether the token with this id may still authenticate: for sessions that hold a reference to a token, not its
    /// secret (the dashboard's cookie), and for long-lived requests (an event stream) re-checking the token they opened
    /// with. Cached like a validation by secret: a revocation anywhere is seen within the token-epoch poll.
    /// </summary>
    Task<TokenCheck> CheckAsync(Guid tokenId, CancellationToken cancellationToken);
}
