using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Models;
using Controller.Application.Common.Options;
using Controller.Application.Common.Telemetry;
using Controller.Application.Work.Models;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Controller.Domain.Hosts;
using Controller.Domain.Scheduling;
using Controller.Domain.Work;
using Microsoft.Extensions.Options;

namespace Controller.Application.Work.Commands.GetWork;

/// <summary>One call of a getwork batch, prepared: what its instance holds and whether it takes work; <see cref="Action"/> is set when it takes none.</summary>
public sealed record PreparedGetWork(GetWorkCommand Command, EngineInstance Instance, Engine? Engine, int Held, List<Guid> Cancelled, int Wanted, WorkAction? Action);

/// <summary>
/// One getwork call on the rows of its batch: apply the reported outcomes (all or none), count the call as a heartbeat,
/// extend the leases still held, and decide whether the instance may take work (<see cref="WorkDispatch"/>) or is to
/// stop. The batch claims the tasks; <see cref="Answer"/> says what the call got.
/// </summary>
public sealed class GetWorkRound(
    ITaskRepository tasks,
    IEngineRepository engines,
    IHostRepository hosts,
    IOptions<WorkOptions> options,
    IOptions<SchedulingOptions> scheduling,
    ControllerMetrics metrics)
{
    public TimeSpan HeartbeatResolution => GetWorkSteps.HeartbeatResolution(scheduling.Value);

    /// <summary>Refuses the call (and changes nothing of it) when one of its outcomes is refused.</summary>
    public async Task<PreparedGetWork> PrepareAsync(GetWorkCommand command, EngineInstance instance, List<WorkTask> mine, ClusterSnapshot view, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        await ApplyOutcomesAsync(command, mine, now, cancellationToken);

        // The engine and the host's state come from the placement view (no read) while they let the instance work, unless
        // the call was woken by a change the view may not have yet; a decision to stop it is taken again on the rows.
        var fromView = !command.DecideOnRows;
        var engine = (fromView ? view.Engines.FirstOrDefault(e => e.Id == instance.EngineId) : null) ?? await engines.FindAsync(instance.EngineId, cancellationToken);
        var hostState = fromView && view.IsActiveHost(instance.HostId) ? HostState.Active : await hosts.StateOfAsync(instance.HostId, cancellationToken);
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
        if (verdict.MayTakeWork && (command.MaxItems ?? GetWorkCommand.DefaultMaxItems) is var wanted and > 0)
        {
            return new PreparedGetWork(command, instance, engine, held, cancelled, wanted, null);
        }

        var action = verdict.ActionFor(held, leased: 0);
        if (action == WorkAction.Terminate && verdict.StopReason is not null)
        {
            action = await StopAsync(instance, held, now, cancellationToken);
        }

        instance.Heartbeat(busy: held > 0, now, HeartbeatResolution);
        return new PreparedGetWork(command, instance, engine, held, cancelled, 0, action);
    }

    /// <summary>What the call got, once its tasks (if it wanted any) are leased; counted under its engine's name.</summary>
    public GetWorkAnswer Answer(PreparedGetWork call, List<WorkItemDto> items)
    {
        GetWorkSteps.Record(metrics, call.Engine?.Name ?? "unknown", call.Command, items.Count);
        var action = call.Action ?? WorkVerdict.Take.ActionFor(call.Held, items.Count);
        return new GetWorkAnswer(action, items, action == WorkAction.Wait ? options.Value.PollSeconds : null, call.Cancelled) { EngineId = call.Engine?.Id, HostId = call.Instance.HostId };
    }

    /// <summary>Decided again on the tracked engine and the host's row, so that a stale view never stops a copy.</summary>
    private async Task<WorkAction> StopAsync(EngineInstance instance, int held, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var tracked = await engines.FindAsync(instance.EngineId, cancellationToken);
        var fresh = WorkDispatch.Decide(instance, await hosts.StateOfAsync(instance.HostId, cancellationToken), tracked, held);
        var action = fresh.ActionFor(held, leased: 0);
        if (action == WorkAction.Terminate && fresh.StopReason is { } reason && instance.RequestStop(reason, now) && tracked is not null)
        {
            EngineCounts.Release([instance], new Dictionary<Guid, Engine> { [tracked.Id] = tracked }, now, backoff: null);
        }

        return action;
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
