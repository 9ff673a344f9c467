using Controller.Application.Common.Security;

namespace Controller.Api.Security;

/// <summary>
/// Marks an endpoint as a long-lived event stream: it holds none of the request-concurrency slots (an open stream is
/// not a request in progress) and counts against the stream limits of its own (<see cref="RateLimitOptions.StreamsPerCaller"/>,
/// <see cref="RateLimitOptions.StreamsPerReplica"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class EventStreamAttribute : Attribute;

/// <summary>
/// Marks an endpoint whose calls may be held (getwork's long poll): they hold none of the request-concurrency slots and
/// count against a limit of their own, as many as the replica holds.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LongPollAttribute : Attribute;

/// <summary>
/// Ends a stream once the token that opened it (a bearer token, or the dashboard session's) stops being valid: the
/// token is checked again by id every <see cref="Interval"/> through the token cache (which forgets a token revoked on
/// another replica within that replica's token-epoch poll), so a revoked or expired token's stream ends within a second
/// or two.
/// </summary>
public static class EventStreamGuard
{
    /// <summary>How often an open stream's token is checked again (a cached check: no database read).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>A token cancelled when the request ends or the caller's token is no longer valid.</summary>
    public static CancellationToken Watch(HttpContext http)
    {
        var ended = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        http.Response.RegisterForDispose(ended);
        if (!Guid.TryParse(http.User.FindFirst(TokenClaims.TokenId)?.Value, out var tokenId))
        {
            return ended.Token;
        }

        var scopes = http.RequestServices.GetRequiredService<IServiceScopeFactory>();
        _ = WatchAsync(scopes, tokenId, Interval, ended);
        return ended.Token;
    }

    private static async Task WatchAsync(IServiceScopeFactory scopes, Guid tokenId, TimeSpan poll, CancellationTokenSource ended)
    {
        var token = ended.Token;
        try
        {
            while (true)
            {
                await Task.Delay(poll, token);
                // A scope of its own: the request's database context is the stream's.
                await using var scope = scopes.CreateAsyncScope();
                if (await scope.ServiceProvider.GetRequiredService<ITokenAuthenticator>().CheckAsync(tokenId, token) != TokenCheck.Valid)
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
}
