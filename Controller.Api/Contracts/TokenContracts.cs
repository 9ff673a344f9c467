using System.Text.Json.Serialization;

namespace Controller.Api.Contracts;

/// <summary>admin, registration (registers hosts), host (one host), engine-instance (one instance), client (submits and reads tasks), viewer (reads metrics).</summary>
public enum TokenKind
{
    Admin,
    Registration,
    Host,
    EngineInstance,
    Client,
    Viewer,
}

/// <summary>Body of POST /token: issue an admin, registration, client or viewer token. Strict: an unknown field is a 400.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
[ValidatedAs(typeof(Application.Tokens.Commands.CreateToken.CreateTokenCommand))]
public sealed record CreateTokenRequest(TokenKind? Kind, string? Name, DateTimeOffset? ExpiresAt);

/// <summary>A token as listed: never the secret.</summary>
public sealed record TokenResponse(Guid TokenId, string Name, TokenKind Kind, Guid? HostId, Guid? EngineInstanceId, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt);

/// <summary>A freshly issued token: the only time its secret is shown.</summary>
public sealed record IssuedTokenResponse(Guid TokenId, string Token, string Name, TokenKind Kind, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

/// <summary>One admin action: who, what, when, outcome.</summary>
public sealed record AuditEntryResponse(Guid AuditId, DateTimeOffset At, Guid TokenId, string TokenName, string Action, int Status, bool Succeeded);
