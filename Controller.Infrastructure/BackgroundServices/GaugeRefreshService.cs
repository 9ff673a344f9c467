using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Telemetry;
using Controller.Infrastructure.Options;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Controller.Infrastructure.BackgroundServices;

/// <summary>
/// Reads the cluster's sizes for the gauges every <see cref="ControllerOptions.MetricsRefreshSeconds"/> on every
/// replica (grouped counts over hosts and current instances, the engines, and their task backlogs), so that a scrape reads memory
/// and never the database.
/// </summary>
public sealed class GaugeRefreshService(
    IServiceScopeFactory scopes,
    ClusterGauges gauges,
    IOptions<ControllerOptions> options,
    TimeProvider clock,
    ILogger<GaugeRefreshService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.MetricsRefreshSeconds), TimeProvider.System);
        try
        {
            do
            {
                await RefreshAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var now = clock.GetUtcNow();
            gauges.Set(await scope.ServiceProvider.GetRequiredService<IClusterReader>().SizesAsync(now, cancellationToken), now);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Could not read the cluster's sizes for the gauges; they keep their last values.");
        }
    }
}
