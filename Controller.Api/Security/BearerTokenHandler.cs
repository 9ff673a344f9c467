using System.Security.Claims;
using System.Text.Encodings.Web;
using Controller.Api.Errors;
using Controller.Application.Common.Security;
using Controller.Domain.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Controller.Api.Security;

/// <summary>
/// Authenticates "Authorization: Bearer &lt;token&gt;" against the controller's tokens. A failed
/// challenge answers 401 with <c>WWW-Authenticate: Bearer</c>; the error body is written by the
/// status-code problem details like every other error.
/// </summary>
public sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ITokenAuthenticator authenticator) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    private const string FailureKey = "auth-failure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return Remember(AuthenticateResult.NoResult(), "missing_token", "No bearer token was presented.");
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            return Remember(AuthenticateResult.Fail("malformed"), "invalid_token", "The Authorization header must be 'Bearer <token>'.");
        }

        var secret = header[7..].Trim();
        if (secret.Length is 0 or > 512)
        {
            return Remember(AuthenticateResult.Fail("malformed"), "invalid_token", "The bearer token is malformed.");
        }

        var (check, token) = await authenticator.AuthenticateAsync(secret, Context.RequestAborted);
        switch (check)
        {
            case TokenCheck.Unknown:
                return Remember(AuthenticateResult.Fail("unknown"), "invalid_token", "The bearer token is not known.");
            case TokenCheck.Expired:
                return Remember(AuthenticateResult.Fail("expired"), "token_expired", "The bearer token has expired.");
            case TokenCheck.Revoked:
                return Remember(AuthenticateResult.Fail("revoked"), "token_revoked", "The bearer token has been revoked.");
        }

        var claims = new List<Claim>
        {
            new(TokenClaims.TokenId, token!.Id.ToString()),
            new(TokenClaims.Kind, KindName(token.Kind)),
            new(TokenClaims.Name, token.Name),
        };
        if (token.HostId is { } hostId)
        {
            claims.Add(new Claim(TokenClaims.HostId, hostId.ToString()));
        }

        if (token.EngineInstanceId is { } instanceId)
        {
            claims.Add(new Claim(TokenClaims.EngineInstanceId, instanceId.ToString()));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, TokenClaims.Name, TokenClaims.Kind));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var (errorId, description) = Context.Items[FailureKey] as (string, string)? ?? ("missing_token", "No bearer token was presented.");
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = errorId == "missing_token"
            ? "Bearer"
            : $"Bearer error=\"invalid_token\", error_description=\"{description}\"";
        ErrorContext.Set(Context, errorId, description);
        return Task.CompletedTask;
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        ErrorContext.Set(Context, "forbidden", "This token may not call this endpoint.");
        return Task.CompletedTask;
    }

    public static string KindName(TokenKind kind) => kind switch
    {
        TokenKind.Admin => TokenClaims.Admin,
        TokenKind.Registration => TokenClaims.Registration,
        TokenKind.Host => TokenClaims.Host,
        TokenKind.Client => TokenClaims.Client,
        TokenKind.Viewer => TokenClaims.Viewer,
        _ => TokenClaims.EngineInstance,
    };

    private AuthenticateResult Remember(AuthenticateResult result, string errorId, string description)
    {
        Context.Items[FailureKey] = (errorId, description);
        return result;
    }
}
