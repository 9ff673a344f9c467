using Controller.Application.Common.Telemetry;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Controller.Domain.Work;
using Controller.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Controller.Infrastructure.BackgroundServices;

/// <summary>
/// Reads the cluster's sizes for the gauges every <see cref="ControllerOptions.MetricsRefreshSeconds"/> on every
/// replica (grouped counts over hosts, current instances, engines and unfinished tasks), so that a scrape reads memory
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
            var tasks = await db.Tasks.AsNoTracking().Where(t => t.State == WorkTaskState.Queued || t.State == WorkTaskState.Leased)
                .GroupBy(t => new { t.EngineId, t.State }).Select(g => new { g.Key.EngineId, g.Key.State, Count = g.LongCount() })
                .ToListAsync(cancellationToken);
            var oldest = new Dictionary<Guid, double>();
            foreach (var engineId in tasks.Where(t => t.State == WorkTaskState.Queued).Select(t => t.EngineId))
            {
                var createdAt = await db.Tasks.AsNoTracking().Where(t => t.EngineId == engineId && t.State == WorkTaskState.Queued)
                    .OrderBy(t => t.CreatedAt).Select(t => t.CreatedAt).FirstAsync(cancellationToken);
                oldest[engineId] = Math.Max(0, (now - createdAt).TotalSeconds);
            }

            string Name(Guid engineId) => names.GetValueOrDefault(engineId, engineId.ToString());
            gauges.Set(new ClusterSizes(
                hosts.ToDictionary(h => Lower(h.Key.ToString()), h => h.Count),
                instances.ToDictionary(i => (Name(i.EngineId), Lower(i.State.ToString())), i => i.Count),
                [.. engines.Select(e => new EngineSizes(e.Name, e.Target, e.ActiveInstances, e.InBackoffAt(now), oldest.TryGetValue(e.Id, out var age) ? age : null))],
                tasks.ToDictionary(t => (Name(t.EngineId), Lower(t.State.ToString())), t => t.Count)));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Could not read the cluster's sizes for the gauges; they keep their last values.");
        }
    }

    private static string Lower(string value) => value.ToLowerInvariant();
}
