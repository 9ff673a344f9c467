using Controller.Domain.Tokens;

namespace Controller.Application.Tokens.Models;

/// <summary>A token as listed: never the secret.</summary>
public sealed record TokenDto(
    Guid TokenId,
    string Name,
    TokenKind Kind,
    Guid? HostId,
    Guid? EngineInstanceId,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt);

/// <summary>A freshly issued token: the only time its secret is shown.</summary>
public sealed record IssuedTokenDto(
    Guid TokenId,
    string Token,
    string Name,
    TokenKind Kind,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt);
