using Controller.Application.Common.Options;
using Controller.Application.Retention;
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

    /// <summary>
    /// One sweep if this replica holds (or can take) the lease. Returns whether it swept. Its steps (hosts and engines,
    /// tasks, events) run each in a scope of its own: a step that fails is logged and counted, and the next ones still
    /// run; the lease is renewed before each step, and a replica that lost it stops there.
    /// </summary>
    public async Task<bool> TickAsync(CancellationToken cancellationToken)
    {
        try
        {
            // This replica's hosts answered from memory are written first, so that none of them looks silent.
            await lastSeen.FlushAsync(cancellationToken);
            if (!await HoldLeaseAsync(cancellationToken))
            {
                // Not the sweeper, but every replica tells agents the same interval: keep the host count current here too.
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<ClusterSweeper>().RefreshLiveHostsAsync(cancellationToken);
                return false;
            }

            var first = true;
            foreach (var (step, run) in Steps)
            {
                // The lease was just taken for the first step; it is renewed before each of the others.
                if (!await StepAsync(step, run, renewLease: !first, cancellationToken))
                {
                    return false;
                }

                first = false;
            }

            metrics.Swept();
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Sweep failed; it will run again at the next tick.");
            return false;
        }
    }

    private IEnumerable<(string Step, Func<IServiceProvider, CancellationToken, Task> Run)> Steps =>
    [
        ("hosts", async (services, ct) =>
        {
            var result = await services.GetRequiredService<ClusterSweeper>().SweepAsync(ct);
            metrics.HostsLost(result.HostsLost);
            if (result.HostsLost > 0 || result.EnginesDeleted > 0 || result.HostsTerminated > 0)
            {
                logger.LogInformation("Sweep: {HostsLost} hosts lost, {HostsTerminated} terminated hosts finished, {EnginesDeleted} engines deleted.",
                    result.HostsLost, result.HostsTerminated, result.EnginesDeleted);
            }
        }),
        ("tasks", async (services, ct) =>
        {
            var work = await services.GetRequiredService<TaskSweeper>().SweepAsync(ct);
            if (work.Any)
            {
                logger.LogInformation(
                    "Task sweep: {LeasesExpired} leases expired, {LeasesReleased} released from ended instances, {Cancelled} queued tasks of deleted engines cancelled, {EnginesRescaled} engines rescaled by backlog.",
                    work.LeasesExpired, work.LeasesReleased, work.CancelledForDeletedEngines, work.EnginesRescaled);
            }
        }),
        ("retention", async (services, ct) =>
        {
            // Within the sweep interval, and well within the lease (renewed before the step).
            var o = options.Value;
            var budget = TimeSpan.FromSeconds(Math.Min(o.SweepIntervalSeconds, o.SweepLeaseSeconds / 2.0));
            var result = await services.GetRequiredService<RetentionSweeper>().SweepAsync(budget, ct);
            foreach (var (kind, count) in result.Deleted)
            {
                metrics.RetentionDeleted(kind, count);
            }

            if (result.Deleted.Values.Any(count => count > 0))
            {
                logger.LogInformation("Retention: deleted {Deleted}.", string.Join(", ", result.Deleted.Where(d => d.Value > 0).Select(d => $"{d.Value} {d.Key}")));
            }

            if (result.Failures.Count > 0)
            {
                throw new AggregateException("Retention failed for " + string.Join(", ", result.Failures.Select(f => f.Kind)) + "; the other kinds ran.", result.Failures);
            }
        }),
    ];

    /// <summary>Takes or renews the sweep lease.</summary>
    private async Task<bool> HoldLeaseAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<LeaseStore>()
            .TryAcquireAsync(LeaseName, Holder, TimeSpan.FromSeconds(options.Value.SweepLeaseSeconds), cancellationToken);
    }

    /// <summary>
    /// Runs one step in a scope of its own (a failed step's unit of work cannot spoil the next) once the lease is
    /// renewed; false when another replica took the lease. A failure is logged and counted, not passed on.
    /// </summary>
    private async Task<bool> StepAsync(string step, Func<IServiceProvider, CancellationToken, Task> run, bool renewLease, CancellationToken cancellationToken)
    {
        try
        {
            if (renewLease && !await HoldLeaseAsync(cancellationToken))
            {
                logger.LogInformation("Another replica took the sweep lease before step {Step}; this sweep stops here.", step);
                return false;
            }

            await using var scope = scopes.CreateAsyncScope();
            await run(scope.ServiceProvider, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            metrics.SweepStepFailed(step);
            logger.LogError(ex, "Sweep step {Step} failed; the other steps still run, and it runs again at the next tick.", step);
        }

        return true;
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
