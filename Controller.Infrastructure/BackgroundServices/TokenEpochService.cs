using Controller.Infrastructure.Persistence;
using Controller.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Controller.Infrastructure.BackgroundServices;

/// <summary>
/// Every <see cref="ControllerOptions.TokenEpochPollMilliseconds"/>, on every replica: publishes this replica's
/// revocations by moving the shared token epoch (a settings row), and expires this replica's cached token
/// validations when the epoch moved (here or elsewhere). One small read per poll, never per request.
/// </summary>
public sealed class TokenEpochService(IServiceScopeFactory scopes, TokenCacheEpoch epoch, IOptions<ControllerOptions> options, TimeProvider clock, ILogger<TokenEpochService> logger)
    : BackgroundService
{
    public const string SettingName = "token-epoch";

    private string? _seen;
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
            if (epoch.TakeRevocation())
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
            if (!_initialized)
            {
                // Nothing was cached before the first poll that an earlier epoch could concern.
                _initialized = true;
                _seen = current;
                return false;
            }

            if (current == _seen)
            {
                return false;
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
}
