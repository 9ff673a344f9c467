using Controller.Application.Common;
using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Controller.Application.Common.Telemetry;
using Controller.Application.EngineInstances;
using Controller.Application.Work.Models;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Controller.Domain.Hosts;
using Controller.Domain.Scheduling;
using Controller.Domain.Work;
using Mediator;
using Microsoft.Extensions.Options;

namespace Controller.Application.Work.Commands.GetWork;

/// <summary>
/// One getwork round: apply the reported outcomes (all or none), count the call as a heartbeat, extend the leases still
/// held, decide whether the instance may take work (<see cref="WorkDispatch"/>), then claim tasks for it (the claim and
/// the save are one transaction, so that the rows it locks stay locked until they are saved) or stop it once idle.
/// Everything read is saved under its version: a round that loses a race is run again from fresh reads. Calls that
/// arrive together are first offered to <see cref="IGetWorkBatcher"/>, which runs the common case of many as one round;
/// what it leaves (null) runs here on its own.
/// </summary>
public sealed class GetWorkCommandHandler(
    ITaskRepository tasks,
    IEngineInstanceRepository instances,
    IEngineRepository engines,
    IHostRepository hosts,
    IUnitOfWork unitOfWork,
    IClusterViewSource clusterView,
    ControllerMetrics metrics,
    IOptions<WorkOptions> options,
    IOptions<SchedulingOptions> scheduling,
    TimeProvider clock,
    IGetWorkBatcher batcher) : ICommandHandler<GetWorkCommand, GetWorkAnswer>
{
    private TimeSpan HeartbeatResolution => GetWorkSteps.HeartbeatResolution(scheduling.Value);

    public async ValueTask<GetWorkAnswer> Handle(GetWorkCommand command, CancellationToken cancellationToken) =>
        await batcher.TryRunAsync(command) ?? await ConflictRetry.RunAsync(unitOfWork, options.Value.MaxAttempts, () => RoundAsync(command, cancellationToken), () => metrics.Conflict("getwork"));

    private async Task<GetWorkAnswer> RoundAsync(GetWorkCommand command, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var instance = await instances.FindAsync(command.InstanceId, cancellationToken) ?? throw EngineInstanceErrors.NotFound(command.InstanceId);
        var mine = await tasks.ListHeldByAsync(instance.Id, now, cancellationToken);
        await ApplyOutcomesAsync(command, mine, now, cancellationToken);

        // The engine and the host's state come from the placement view (no read) while they let the instance work; a
        // decision to stop it is taken again on the rows themselves.
        var view = await clusterView.GetAsync(cancellationToken);
        var engine = view.Engines.FirstOrDefault(e => e.Id == instance.EngineId) ?? await engines.FindAsync(instance.EngineId, cancellationToken);
        var hostState = view.IsActiveHost(instance.HostId) ? HostState.Active : await hosts.StateOfAsync(instance.HostId, cancellationToken);
        var healthy = instance.BecomesHealthyAt(now, scheduling.Value.HealthyAfter());
        instance.Heartbeat(busy: instance.Busy, now, HeartbeatResolution);
        if (healthy)
        {
            // It proved healthy: its engine's failures are forgiven (on the tracked row).
            engine = await engines.FindAsync(instance.EngineId, cancellationToken);
            if (engine is { ConsecutiveFailures: > 0 })
            {
                engine.RecordSuccess(now);
            }
        }

        GetWorkSteps.ReleaseUnreported(command, mine, now);
        var (held, cancelled) = GetWorkSteps.ExtendLeases(instance, mine, now);
        var verdict = WorkDispatch.Decide(instance, hostState, engine, held);
        var wanted = verdict.MayTakeWork ? command.MaxItems ?? GetWorkCommand.DefaultMaxItems : 0;
        if (wanted > 0)
        {
            var items = await unitOfWork.InTransactionAsync(ct => ClaimAsync(instance, held, wanted, now, ct), cancellationToken);
            Record(engine, command, items.Count);
            var claimed = verdict.ActionFor(held, items.Count);
            return new GetWorkAnswer(claimed, items, claimed == WorkAction.Wait ? options.Value.PollSeconds : null, cancelled);
        }

        var action = verdict.ActionFor(held, leased: 0);
        if (action == WorkAction.Terminate && verdict.StopReason is not null)
        {
            // Decided again on the tracked engine and the host's row, so that a stale view never stops a copy.
            var tracked = await engines.FindAsync(instance.EngineId, cancellationToken);
            var fresh = WorkDispatch.Decide(instance, await hosts.StateOfAsync(instance.HostId, cancellationToken), tracked, held);
            action = fresh.ActionFor(held, leased: 0);
            if (action == WorkAction.Terminate && fresh.StopReason is { } reason && instance.RequestStop(reason, now) && tracked is not null)
            {
                EngineCounts.Release([instance], new Dictionary<Guid, Engine> { [tracked.Id] = tracked }, now, backoff: null);
            }
        }

        instance.Heartbeat(busy: held > 0, now, HeartbeatResolution);
        await unitOfWork.SaveChangesAsync(cancellationToken);
        Record(engine, command, leased: 0);
        return new GetWorkAnswer(action, [], action == WorkAction.Wait ? options.Value.PollSeconds : null, cancelled);
    }

    private void Record(Engine? engine, GetWorkCommand command, int leased) => GetWorkSteps.Record(metrics, engine?.Name ?? "unknown", command, leased);

    /// <summary>Claims and leases up to <paramref name="count"/> queued tasks; runs inside the transaction that saves the round.</summary>
    private async Task<List<WorkItemDto>> ClaimAsync(EngineInstance instance, int held, int count, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var items = new List<WorkItemDto>();
        foreach (var task in await tasks.ClaimQueuedAsync(instance.EngineId, count, cancellationToken))
        {
            items.Add(GetWorkSteps.Lease(task, instance, now));
        }

        GetWorkSteps.Heartbeat(instance, held, items.Count, now, HeartbeatResolution);
        return items;
    }

    /// <summary>Every outcome is checked before any is applied: one refused outcome refuses them all and changes nothing.</summary>
    private async Task ApplyOutcomesAsync(GetWorkCommand command, List<WorkTask> mine, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var completed = command.Completed ?? [];
        if (completed.Count == 0)
        {
            return;
        }

        var found = mine.ToDictionary(t => t.Id);
        var elsewhere = completed.Select(c => c.TaskId!.Value).Where(id => !found.ContainsKey(id)).ToList();
        if (elsewhere.Count > 0)
        {
            // Rare: a task handed to another instance meanwhile, or finished (a repeated outcome).
            foreach (var task in await tasks.FindManyAsync(elsewhere, cancellationToken))
            {
                found[task.Id] = task;
            }
        }

        var refused = GetWorkSteps.Refusals(command, found, now);
        if (refused.Count > 0)
        {
            throw WorkErrors.OutcomesRefused(refused);
        }

        GetWorkSteps.ApplyOutcomes(command, found, now);
    }
}
