using System.Diagnostics;
using Controller.Api.Security;

namespace Controller.Api.Logging;

/// <summary>
/// One line per request: method, route template, status, duration and the caller's token id (never a secret).
/// Information for successes and server errors; Debug for 4xx (a 401 challenge is routine). Nothing is measured when
/// neither level is enabled, so a deployment that logs at Warning pays nothing for it.
/// </summary>
internal sealed partial class RequestLogMiddleware(RequestDelegate next, ILogger<RequestLogMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!logger.IsEnabled(LogLevel.Debug) && !logger.IsEnabled(LogLevel.Information))
        {
            await next(context);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var status = context.Response.StatusCode;
            var level = status is >= 400 and < 500 ? LogLevel.Debug : LogLevel.Information;
            if (logger.IsEnabled(level))
            {
                var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText is { } template ? "/" + template.TrimStart('/') : context.Request.Path.Value;
                Request(logger, level, context.Request.Method, route, status, Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                    context.User.FindFirst(TokenClaims.TokenId)?.Value ?? "-");
            }
        }
    }

    [LoggerMessage(Message = "{Method} {Route} {Status} {ElapsedMs:F1} ms token {TokenId}")]
    private static partial void Request(ILogger logger, LogLevel level, string method, string? route, int status, double elapsedMs, string tokenId);
}
