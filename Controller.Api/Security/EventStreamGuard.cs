using Controller.Application.Common.Security;
using Controller.Infrastructure;
using Microsoft.Extensions.Options;

namespace Controller.Api.Security;

/// <summary>
/// Marks an endpoint as a long-lived event stream: it holds none of the request-concurrency slots (an open stream is
/// not a request in progress) and counts against the stream limits of its own (<see cref="RateLimitOptions.StreamsPerCaller"/>,
/// <see cref="RateLimitOptions.StreamsPerReplica"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class EventStreamAttribute : Attribute;

/// <summary>
/// Ends a stream once the token that opened it stops being valid: the token is checked again every
/// <see cref="ControllerOptions.TokenEpochPollMilliseconds"/> (from this replica's token cache, which forgets tokens
/// revoked on any replica within that poll), so a revoked or expired token's stream ends within two polls.
/// </summary>
public static class EventStreamGuard
{
    /// <summary>A token cancelled when the request ends or the caller's token is no longer valid.</summary>
    public static CancellationToken Watch(HttpContext http)
    {
        var secret = CallerSecret(http);
        var ended = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        http.Response.RegisterForDispose(ended);
        if (secret is null)
        {
            return ended.Token;
        }

        var poll = TimeSpan.FromMilliseconds(http.RequestServices.GetRequiredService<IOptions<ControllerOptions>>().Value.TokenEpochPollMilliseconds);
        var scopes = http.RequestServices.GetRequiredService<IServiceScopeFactory>();
        _ = WatchAsync(scopes, secret, poll, ended);
        return ended.Token;
    }

    private static async Task WatchAsync(IServiceScopeFactory scopes, string secret, TimeSpan poll, CancellationTokenSource ended)
    {
        var token = ended.Token;
        try
        {
            while (true)
            {
                await Task.Delay(poll, token);
                // A scope of its own: the request's database context is the stream's.
                await using var scope = scopes.CreateAsyncScope();
                var (check, _) = await scope.ServiceProvider.GetRequiredService<ITokenAuthenticator>().AuthenticateAsync(secret, token);
                if (check != TokenCheck.Valid)
                {
                    await ended.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The request ended.
        }
        catch (ObjectDisposedException)
        {
            // The response was disposed with its source.
        }
    }

    private static string? CallerSecret(HttpContext http) =>
        DashboardCookie.Secret(http.User) ?? (http.Request.Headers.Authorization.ToString() is { Length: > 7 } header
            && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null);
}
