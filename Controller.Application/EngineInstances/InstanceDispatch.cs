using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Controller.Domain.EngineInstances;
using Controller.Domain.Work;
using Microsoft.Extensions.Options;

namespace Controller.Application.EngineInstances;

/// <summary>
/// What an engine instance's own calls (registration, heartbeat) decide on its rows: whether it proved healthy (its
/// engine's failures are then forgiven) and whether it may take work, by the rule getwork uses (<see cref="WorkDispatch"/>).
/// </summary>
public sealed class InstanceDispatch(IEngineRepository engines, IHostRepository hosts, IOptions<SchedulingOptions> scheduling)
{
    /// <summary>True once, when the copy has run long enough to count as healthy; ask before recording its heartbeat.</summary>
    public bool ProvesHealthy(EngineInstance instance, DateTimeOffset now) => instance.BecomesHealthyAt(now, scheduling.Value.HealthyAfter());

    /// <summary>A copy proved healthy: its engine's failures are forgiven (on the tracked row).</summary>
    public async Task ForgiveFailuresAsync(Guid engineId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var engine = await engines.FindAsync(engineId, cancellationToken);
        if (engine is { ConsecutiveFailures: > 0 })
        {
            engine.RecordSuccess(now);
        }
    }

    /// <summary>The domain's dispatch rule on the engine's and the host's rows.</summary>
    public async Task<WorkVerdict> DecideAsync(EngineInstance instance, int held, CancellationToken cancellationToken) =>
        WorkDispatch.Decide(instance, await hosts.StateOfAsync(instance.HostId, cancellationToken), await engines.FindAsync(instance.EngineId, cancellationToken), held);
}
