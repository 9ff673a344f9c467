using Controller.Application.Common.Options;
using Controller.Application.Scheduling;
using Controller.Application.Work;
using Controller.Infrastructure.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Controller.Infrastructure.BackgroundServices;

/// <summary>
/// Runs the cluster sweep every <see cref="SchedulingOptions.SweepIntervalSeconds"/> on whichever replica holds
/// the "sweep" lease; another replica takes over within the lease duration when the holder dies.
/// </summary>
public sealed class SweepService(
    IServiceScopeFactory scopes,
    LastSeenFlushService lastSeen,
    Application.Common.Telemetry.ControllerMetrics metrics,
    IOptions<SchedulingOptions> options,
    TimeProvider clock,
    ILogger<SweepService> logger)
    : BackgroundService
{
    public const string LeaseName = "sweep";

    public string Holder { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(options.Value.SweepIntervalSeconds);
        using var timer = new PeriodicTimer(interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await TickAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await ReleaseAsync();
        }
    }

    /// <summary>One sweep if this replica holds (or can take) the lease. Returns whether it swept.</summary>
    public async Task<bool> TickAsync(CancellationToken cancellationToken)
    {
        try
        {
            // This replica's hosts answered from memory are written first, so that none of them looks silent.
            await lastSeen.FlushAsync(cancellationToken);
            await using var scope = scopes.CreateAsyncScope();
            var sweeper = scope.ServiceProvider.GetRequiredService<ClusterSweeper>();
            var leases = scope.ServiceProvider.GetRequiredService<LeaseStore>();
            if (!await leases.TryAcquireAsync(LeaseName, Holder, TimeSpan.FromSeconds(options.Value.SweepLeaseSeconds), cancellationToken))
            {
                // Not the sweeper, but every replica tells agents the same interval: keep the host count current here too.
                await sweeper.RefreshLiveHostsAsync(cancellationToken);
                return false;
            }

            var result = await sweeper.SweepAsync(cancellationToken);
            metrics.Swept();
            metrics.HostsLost(result.HostsLost);
            if (result.HostsLost > 0 || result.EnginesDeleted > 0 || result.HostsTerminated > 0)
            {
                logger.LogInformation("Sweep: {HostsLost} hosts lost, {HostsTerminated} terminated hosts finished, {EnginesDeleted} engines deleted.",
                    result.HostsLost, result.HostsTerminated, result.EnginesDeleted);
            }

            var work = await scope.ServiceProvider.GetRequiredService<TaskSweeper>().SweepAsync(cancellationToken);
            if (work.Any)
            {
                logger.LogInformation(
                    "Task sweep: {LeasesExpired} leases expired, {LeasesReleased} released from ended instances, {TasksDeleted} finished tasks deleted, {EnginesRescaled} engines rescaled by backlog.",
                    work.LeasesExpired, work.LeasesReleased, work.TasksDeleted, work.EnginesRescaled);
            }

            var pruned = await scope.ServiceProvider.GetRequiredService<Application.Events.EventRetention>().PruneAsync(cancellationToken);
            if (pruned > 0)
            {
                logger.LogDebug("Event retention: {Pruned} events deleted.", pruned);
            }

            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Sweep failed; it will run again at the next tick.");
            return false;
        }
    }

    private async Task ReleaseAsync()
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<LeaseStore>().ReleaseAsync(LeaseName, Holder, CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogDebug(ex, "Could not release the sweep lease; it expires on its own.");
        }
    }
}
