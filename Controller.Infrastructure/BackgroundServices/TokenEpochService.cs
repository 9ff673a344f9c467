using Controller.Domain.Tokens;
using Controller.Infrastructure.Options;
using Controller.Infrastructure.Persistence;
using Controller.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Controller.Infrastructure.BackgroundServices;

/// <summary>
/// Every <see cref="ControllerOptions.TokenEpochPollMilliseconds"/>, on every replica: forgets the cached validations of
/// tokens revoked anywhere since the previous poll (read from their revocation times), publishes this replica's
/// shortened expiries by moving the shared token epoch (a settings row), and expires every cached validation here when
/// the epoch moved (here or elsewhere). Two small reads per poll, never per request.
/// </summary>
public sealed class TokenEpochService(IServiceScopeFactory scopes, TokenCacheEpoch epoch, IOptions<ControllerOptions> options, TimeProvider clock, ILogger<TokenEpochService> logger)
    : BackgroundService
{
    public const string SettingName = "token-epoch";

    /// <summary>How far behind the previous poll each poll looks for revocations.</summary>
    public static readonly TimeSpan RevocationLookback = TimeSpan.FromSeconds(10);

    private string? _seen;
    private DateTimeOffset? _revokedSince;
    private bool _initialized;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.TokenEpochPollMilliseconds), clock);
        try
        {
            await PollAsync(stoppingToken);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await PollAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One poll. Returns true when this replica's cached validations were expired.</summary>
    public async Task<bool> PollAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ControllerDbContext>();
            if (epoch.TakeExpiryShortened())
            {
                var next = Guid.NewGuid().ToString("N");
                using (await scope.ServiceProvider.GetRequiredService<IDatabaseWriteGate>().EnterAsync(cancellationToken))
                {
                    if (await db.Settings.Where(s => s.Name == SettingName).ExecuteUpdateAsync(u => u.SetProperty(s => s.Value, next), cancellationToken) == 0)
                    {
                        db.Settings.Add(new ClusterSetting { Name = SettingName, Value = next });
                        try
                        {
                            await db.SaveChangesAsync(cancellationToken);
                        }
                        catch (DbUpdateException)
                        {
                            // Another replica created it meanwhile: move it again.
                            db.ChangeTracker.Clear();
                            await db.Settings.Where(s => s.Name == SettingName).ExecuteUpdateAsync(u => u.SetProperty(s => s.Value, next), cancellationToken);
                        }
                    }
                }
            }

            var current = await db.Settings.AsNoTracking().Where(s => s.Name == SettingName).Select(s => s.Value).FirstOrDefaultAsync(cancellationToken);
            var forgotten = await ForgetRevokedAsync(db, cancellationToken);
            if (!_initialized)
            {
                // Nothing was cached before the first poll that an earlier epoch could concern.
                _initialized = true;
                _seen = current;
                return forgotten;
            }

            if (current == _seen)
            {
                return forgotten;
            }

            _seen = current;
            epoch.ExpireAll();
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Cached validations still expire after Controller:TokenCacheSeconds.
            logger.LogWarning(ex, "Could not read or move the token epoch; retrying at the next poll.");
            return false;
        }
    }

    /// <summary>
    /// Revocations by any replica, read from the tokens' revocation times (indexed): each revoked token that is cached
    /// here is forgotten, and nothing else is. The window reaches <see cref="RevocationLookback"/> behind the previous
    /// poll, for transactions that commit a little after they stamped the time and for clocks a little apart.
    /// </summary>
    private async Task<bool> ForgetRevokedAsync(ControllerDbContext db, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var since = _revokedSince ?? now - RevocationLookback;
        var hashes = await RevokedSince(db, since).ToListAsync(cancellationToken);
        _revokedSince = now - RevocationLookback;
        return epoch.Forget(hashes) > 0;
    }

    private static readonly TokenKind[] Kinds = Enum.GetValues<TokenKind>();

    // Names every kind so that the (Kind, RevokedAt) index serves it.
    private static IQueryable<byte[]> RevokedSince(ControllerDbContext db, DateTimeOffset since) =>
        db.Tokens.AsNoTracking().Where(t => Kinds.Contains(t.Kind) && t.RevokedAt > since).Select(t => t.Hash);
}
