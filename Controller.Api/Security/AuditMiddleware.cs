using Controller.Application.Audit;
using Controller.Domain.Audit;

namespace Controller.Api.Security;

/// <summary>Records every admin action (every non-GET request made with an admin token) with its outcome.</summary>
public sealed class AuditMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, IAuditLog audit, TimeProvider clock, ILogger<AuditMiddleware> logger)
    {
        await next(context);
        var user = context.User;
        if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
            || user.FindFirst(TokenClaims.Kind)?.Value != TokenClaims.Admin
            || !Guid.TryParse(user.FindFirst(TokenClaims.TokenId)?.Value, out var tokenId))
        {
            return;
        }

        try
        {
            var now = clock.GetUtcNow();
            await audit.RecordAsync(AuditEntry.Record(Guid.CreateVersion7(now), now, tokenId, user.FindFirst(TokenClaims.Name)?.Value ?? string.Empty,
                $"{context.Request.Method} {context.Request.Path}", context.Response.StatusCode), CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The action itself is done and answered; a lost audit line is logged, never turned into an error.
            logger.LogError(ex, "Could not record the audit entry for {Method} {Path}", context.Request.Method, context.Request.Path);
        }
    }
}
