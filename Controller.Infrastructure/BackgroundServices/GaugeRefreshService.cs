using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Telemetry;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Controller.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
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
    private static readonly EngineInstanceState[] Current =
        [EngineInstanceState.Pending, EngineInstanceState.Starting, EngineInstanceState.Running, EngineInstanceState.Stopping];

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
            var db = scope.ServiceProvider.GetRequiredService<ControllerDbContext>();
            var now = clock.GetUtcNow();
            var hosts = await db.Hosts.AsNoTracking().GroupBy(h => h.State).Select(g => new { g.Key, Count = g.LongCount() }).ToListAsync(cancellationToken);
            var engines = await db.Engines.AsNoTracking().Where(e => e.State != EngineState.Deleted).ToListAsync(cancellationToken);
            var names = engines.ToDictionary(e => e.Id, e => e.Name);
            var instances = await db.EngineInstances.AsNoTracking().Where(i => Current.Contains(i.State))
                .GroupBy(i => new { i.EngineId, i.State }).Select(g => new { g.Key.EngineId, g.Key.State, Count = g.LongCount() })
                .ToListAsync(cancellationToken);
            var backlog = await scope.ServiceProvider.GetRequiredService<ITaskRepository>().BacklogAsync([.. names.Keys], cancellationToken);

            string Name(Guid engineId) => names.GetValueOrDefault(engineId, engineId.ToString());
            gauges.Set(new ClusterSizes(
                hosts.ToDictionary(h => Lower(h.Key.ToString()), h => h.Count),
                instances.ToDictionary(i => (Name(i.EngineId), Lower(i.State.ToString())), i => i.Count),
                [.. engines.Select(e => new EngineSizes(e.Name, e.Target, e.ActiveInstances, e.InBackoffAt(now), backlog.GetValueOrDefault(e.Id)?.OldestQueuedAgeSeconds(now)))],
                backlog.SelectMany(b => new[] { ((Name(b.Key), "queued"), (long)b.Value.Queued), ((Name(b.Key), "leased"), (long)b.Value.Leased) })
                    .ToDictionary(t => t.Item1, t => t.Item2)));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Could not read the cluster's sizes for the gauges; they keep their last values.");
        }
    }

    private static string Lower(string value) => value.ToLowerInvariant();
}
