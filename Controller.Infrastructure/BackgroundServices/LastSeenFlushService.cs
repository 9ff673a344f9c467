using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Controller.Application.Hosts.FastPath;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Controller.Infrastructure.BackgroundServices;

/// <summary>
/// Writes the last-seen times of hosts answered from memory, every <see cref="SchedulingOptions.LastSeenFlushMilliseconds"/>,
/// in batches of one statement each, on every replica (and once more at shutdown).
/// </summary>
public sealed class LastSeenFlushService(IServiceScopeFactory scopes, LastSeenBuffer buffer, IOptions<SchedulingOptions> options, TimeProvider clock, ILogger<LastSeenFlushService> logger)
    : BackgroundService
{
    public const int BatchSize = 500;

    // Not disposed: the host may stop the service (a last flush) after disposing it, and a SemaphoreSlim whose wait
    // handle is never asked for holds nothing to release.
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.LastSeenFlushMilliseconds), clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(CancellationToken.None);
    }

    /// <summary>
    /// Writes what was recorded since the last flush. Returns how many hosts were written. Flushes run one at a time:
    /// one that finds the buffer drained by another still writing waits for that write, so that after it returns every
    /// time recorded before the call is in the database (the sweep reads them just after, to tell lost hosts).
    /// </summary>
    public async Task<int> FlushAsync(CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            return await WriteAsync(cancellationToken);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private async Task<int> WriteAsync(CancellationToken cancellationToken)
    {
        var seen = buffer.Drain();
        if (seen.Count == 0)
        {
            return 0;
        }

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var hosts = scope.ServiceProvider.GetRequiredService<IHostRepository>();
            foreach (var batch in seen.Chunk(BatchSize))
            {
                // One statement per batch; the batch's latest time overstates a host's last report by at most one flush interval.
                await hosts.TouchManyAsync([.. batch.Select(s => s.Key)], batch.Max(s => s.Value), cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Put them back: the next flush writes them (a later report of the same host wins).
            foreach (var (hostId, at) in seen)
            {
                buffer.Record(hostId, at);
            }

            logger.LogWarning(ex, "Could not write the last-seen times of {Count} hosts; retrying at the next flush.", seen.Count);
        }

        return seen.Count;
    }
}
