using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Controller.Application.EngineInstances;
using Controller.Application.Work.Models;
using Controller.Domain.Engines;
using Controller.Domain.Scheduling;
using Controller.Domain.Work;
using Mediator;
using Microsoft.Extensions.Options;

namespace Controller.Application.Work.Commands.GetWork;

/// <summary>
/// One getwork round, as one transaction: apply the reported outcomes (all or none), count the call as a heartbeat,
/// extend the leases still held, decide whether the instance may take work (<see cref="WorkDispatch"/>), claim tasks
/// for it or stop it once idle. A round that loses a race with another writer is run again from fresh reads.
/// </summary>
public sealed class GetWorkCommandHandler(
    ITaskRepository tasks,
    IEngineInstanceRepository instances,
    IEngineRepository engines,
    IHostRepository hosts,
    IUnitOfWork unitOfWork,
    IClusterChanges clusterView,
    IOptions<WorkOptions> options,
    TimeProvider clock) : ICommandHandler<GetWorkCommand, GetWorkAnswer>
{
    public async ValueTask<GetWorkAnswer> Handle(GetWorkCommand command, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var (answer, stoppedOnHost) = await unitOfWork.InTransactionAsync(ct => RoundAsync(command, ct), cancellationToken);
                if (stoppedOnHost is { } hostId)
                {
                    clusterView.InvalidateHost(hostId);
                }

                return answer;
            }
            catch (ConcurrencyConflictException) when (attempt < options.Value.MaxAttempts)
            {
                unitOfWork.Reset();
            }
        }
    }

    private async Task<(GetWorkAnswer Answer, Guid? StoppedOnHost)> RoundAsync(GetWorkCommand command, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var instance = await instances.FindAsync(command.InstanceId, cancellationToken) ?? throw EngineInstanceErrors.NotFound(command.InstanceId);
        await ApplyOutcomesAsync(command, now, cancellationToken);

        var engine = await engines.FindAsync(instance.EngineId, cancellationToken);
        if (instance.Heartbeat(busy: true, now) && engine is { ConsecutiveFailures: > 0 })
        {
            engine.RecordSuccess();
        }

        var held = (await tasks.ListLeasedToAsync(instance.Id, cancellationToken)).Where(t => t.ExtendLease(instance.Id, now)).Count();
        var host = await hosts.FindAsync(instance.HostId, cancellationToken);
        var verdict = WorkDispatch.Decide(instance, host?.State, engine, held);

        var items = new List<WorkItemDto>();
        if (verdict.MayTakeWork)
        {
            var wanted = command.MaxItems ?? GetWorkCommand.DefaultMaxItems;
            foreach (var task in wanted == 0 ? [] : await tasks.ClaimQueuedAsync(instance.EngineId, wanted, cancellationToken))
            {
                task.Lease(instance.Id, now);
                items.Add(new WorkItemDto(task.Id, CompactJson.Parse(task.Payload), task.Attempts, task.LeaseExpiresAt!.Value));
            }
        }

        Guid? stoppedOnHost = null;
        var action = verdict.ActionFor(held, items.Count);
        if (action == WorkAction.Terminate && verdict.StopReason is { } reason && instance.IsUp)
        {
            if (instance.RequestStop(reason, now) && engine is not null)
            {
                EngineCounts.Release([instance], new Dictionary<Guid, Engine> { [engine.Id] = engine }, now, backoff: null);
            }

            stoppedOnHost = instance.HostId;
        }

        instance.Heartbeat(busy: held + items.Count > 0, now);
        var cancelled = await tasks.ListCancellationNoticesAsync(instance.Id, now, cancellationToken);
        var answer = new GetWorkAnswer(action, items, action == WorkAction.Wait ? options.Value.PollSeconds : null, cancelled);
        return (answer, stoppedOnHost);
    }

    /// <summary>Every outcome is checked before any is applied: one refused outcome refuses them all and changes nothing.</summary>
    private async Task ApplyOutcomesAsync(GetWorkCommand command, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var completed = command.Completed ?? [];
        if (completed.Count == 0)
        {
            return;
        }

        var found = (await tasks.FindManyAsync([.. completed.Select(c => c.TaskId!.Value)], cancellationToken)).ToDictionary(t => t.Id);
        var refused = new List<RefusedOutcome>();
        foreach (var outcome in completed)
        {
            var taskId = outcome.TaskId!.Value;
            var reason = !found.TryGetValue(taskId, out var task) ? "task_not_found" : task.RefusalOf(command.InstanceId, outcome.Outcome!.Value, now);
            if (reason is not null)
            {
                refused.Add(new RefusedOutcome(taskId, reason));
            }
        }

        if (refused.Count > 0)
        {
            throw WorkErrors.OutcomesRefused(refused);
        }

        foreach (var outcome in completed)
        {
            found[outcome.TaskId!.Value].Complete(command.InstanceId, outcome.Outcome!.Value,
                outcome.Result is { } result ? CompactJson.Of(result) : null, outcome.Error, now);
        }
    }
}
