using Controller.Application.Common.Security;
using Controller.Domain.Tokens;

namespace Controller.Api.Security;

/// <summary>The caller of the current HTTP request, read from the claims the bearer handler issued.</summary>
public sealed class HttpCurrentCaller(IHttpContextAccessor accessor) : ICurrentCaller
{
    public Guid? TokenId => GuidClaim(TokenClaims.TokenId);

    public string? TokenName => accessor.HttpContext?.User.FindFirst(TokenClaims.Name)?.Value;

    public TokenKind? Kind => accessor.HttpContext?.User.FindFirst(TokenClaims.Kind)?.Value switch
    {
        TokenClaims.Admin => TokenKind.Admin,
        TokenClaims.Registration => TokenKind.Registration,
        TokenClaims.Host => TokenKind.Host,
        TokenClaims.EngineInstance => TokenKind.EngineInstance,
        TokenClaims.Client => TokenKind.Client,
        TokenClaims.Viewer => TokenKind.Viewer,
        _ => null,
    };

    public Guid? HostId => GuidClaim(TokenClaims.HostId);

    public Guid? EngineInstanceId => GuidClaim(TokenClaims.EngineInstanceId);

    private Guid? GuidClaim(string type) =>
        Guid.TryParse(accessor.HttpContext?.User.FindFirst(type)?.Value, out var id) ? id : null;
}
