using System.Security.Claims;
using Controller.Application.Common.Security;
using Controller.Domain.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Controller.Api.Security;

/// <summary>
/// The dashboard's sign-in: an admin or viewer token, typed into a form once, exchanged for an HttpOnly, SameSite=Strict
/// cookie (the token never travels in a URL). The cookie is encrypted and signed (ASP.NET Core data protection) and
/// holds a reference to the token (its id), never its secret; the token is checked again by id on every request:
/// revoking or expiring it ends the session.
/// </summary>
public static class DashboardCookie
{
    public const string SchemeName = "Dashboard";
    public const string CookieName = "controller_ui";

    public static void Configure(CookieAuthenticationOptions o)
    {
        o.Cookie.Name = CookieName;
        o.Cookie.HttpOnly = true;
        o.Cookie.SameSite = SameSiteMode.Strict;
        o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        o.Cookie.Path = "/ui";
        o.LoginPath = "/ui/signin";
        o.LogoutPath = "/ui/signout";
        o.AccessDeniedPath = "/ui/signin";
        o.ExpireTimeSpan = TimeSpan.FromHours(8);
        o.SlidingExpiration = true;
        o.Events.OnValidatePrincipal = ValidateAsync;
    }

    /// <summary>The principal for a valid admin or viewer token, else null (with why).</summary>
    public static async Task<(ClaimsPrincipal? Principal, string? Refusal)> SignInAsync(ITokenAuthenticator authenticator, string? secret, CancellationToken cancellationToken)
    {
        secret = secret?.Trim();
        if (string.IsNullOrEmpty(secret) || secret.Length > 512)
        {
            return (null, "Paste an admin or viewer token.");
        }

        var (check, token) = await authenticator.AuthenticateAsync(secret, cancellationToken);
        if (check != TokenCheck.Valid || token is null)
        {
            return (null, check switch
            {
                TokenCheck.Expired => "This token has expired.",
                TokenCheck.Revoked => "This token has been revoked.",
                _ => "This token is not known.",
            });
        }

        if (token.Kind is not (TokenKind.Admin or TokenKind.Viewer))
        {
            return (null, "Only admin and viewer tokens may open the dashboard.");
        }

        var claims = new List<Claim>
        {
            new(TokenClaims.TokenId, token.Id.ToString()),
            new(TokenClaims.Kind, BearerTokenHandler.KindName(token.Kind)),
            new(TokenClaims.Name, token.Name),
        };
        return (new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, TokenClaims.Name, TokenClaims.Kind)), null);
    }

    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var authenticator = context.HttpContext.RequestServices.GetRequiredService<ITokenAuthenticator>();
        var valid = Guid.TryParse(context.Principal?.FindFirst(TokenClaims.TokenId)?.Value, out var tokenId)
            && await authenticator.CheckAsync(tokenId, context.HttpContext.RequestAborted) == TokenCheck.Valid;
        if (!valid)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(SchemeName);
        }
    }
}
