using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Controller.Api.Errors;
using Microsoft.AspNetCore.RateLimiting;

namespace Controller.Api.Security;

/// <summary>The <c>RateLimiting</c> configuration section.</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimiting";

    /// <summary>Requests per second one token (or one anonymous client address) may make, on average.</summary>
    public int PerCallerPerSecond { get; set; } = 50;

    /// <summary>How many requests one caller may make in a burst above the average.</summary>
    public int PerCallerBurst { get; set; } = 100;

    /// <summary>Admin requests served at once; more get 429, so admin floods cannot starve agents' status reports.</summary>
    public int AdminConcurrency { get; set; } = 16;

    /// <summary>Requests of every kind served at once by this replica; more get 429. Open event streams are not counted.</summary>
    public int GlobalConcurrency { get; set; } = 1024;

    /// <summary>Event streams one token (or one anonymous client address) may hold open on this replica; more get 429.</summary>
    public int StreamsPerCaller { get; set; } = 10;

    /// <summary>Event streams this replica holds open at once; more get 429.</summary>
    public int StreamsPerReplica { get; set; } = 2000;
}

/// <summary>
/// ASP.NET Core rate limiting: a token bucket per caller (per token; per address when anonymous), a concurrency
/// limit for admin traffic of its own, and a global concurrency limit. An event stream holds no concurrency slot (it
/// would hold it for as long as it is open): streams have limits of their own, per caller and per replica. A getwork
/// call (which may be held, a long poll) counts against a limit of its own, as many as a replica holds
/// (<see cref="Application.Work.WorkWaiters.MaxHeld"/>), so that idle copies waiting for work never refuse a status report. A refused request gets 429 with
/// <c>Retry-After</c> in whole seconds taken from the limiter, and the contract's error body; it touches no state.
/// </summary>
public static class RateLimits
{
    public static IServiceCollection AddControllerRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var o = configuration.GetSection(RateLimitOptions.SectionName).Get<RateLimitOptions>() ?? new RateLimitOptions();
        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(context => RateLimitPartition.GetTokenBucketLimiter(
                    CallerKey(context),
                    _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = o.PerCallerBurst,
                        TokensPerPeriod = o.PerCallerPerSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    })),
                PartitionedRateLimiter.Create<HttpContext, string>(context => IsStream(context)
                    ? RateLimitPartition.GetConcurrencyLimiter("stream:" + CallerKey(context), _ => Concurrency(o.StreamsPerCaller))
                    : context.User.FindFirstValue(TokenClaims.Kind) == TokenClaims.Admin
                        ? RateLimitPartition.GetConcurrencyLimiter("admin", _ => Concurrency(o.AdminConcurrency))
                        : RateLimitPartition.GetNoLimiter("other")),
                PartitionedRateLimiter.Create<HttpContext, string>(context => IsStream(context)
                    ? RateLimitPartition.GetConcurrencyLimiter("streams", _ => Concurrency(o.StreamsPerReplica))
                    : IsLongPoll(context)
                        ? RateLimitPartition.GetConcurrencyLimiter("getwork", _ => Concurrency(Application.Work.WorkWaiters.MaxHeld))
                        : RateLimitPartition.GetConcurrencyLimiter("global", _ => Concurrency(o.GlobalConcurrency))));
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = OnRejectedAsync;
        });
        return services;
    }

    private static bool IsStream(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<EventStreamAttribute>() is not null;

    private static bool IsLongPoll(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<LongPollAttribute>() is not null;

    private static ConcurrencyLimiterOptions Concurrency(int permits) => new() { PermitLimit = permits, QueueLimit = 0 };

    private static string CallerKey(HttpContext context) =>
        context.User.FindFirstValue(TokenClaims.TokenId) is { } tokenId
            ? "token:" + tokenId
            : "ip:" + context.Connection.RemoteIpAddress;

    private static async ValueTask OnRejectedAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : 1;
        var http = rejected.HttpContext;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        ErrorContext.Set(http, "too_many_requests", $"Too many requests; retry after {seconds} s.", new Dictionary<string, object?> { ["retryAfterSeconds"] = seconds });
        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = ErrorBody.Create(StatusCodes.Status429TooManyRequests, "too_many_requests", $"Too many requests; retry after {seconds} s.",
                new Dictionary<string, object?> { ["retryAfterSeconds"] = seconds }),
        });
    }
}
