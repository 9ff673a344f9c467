using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Controller.Application.Common.Telemetry;
using Controller.Application.Work.Models;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Controller.Domain.Hosts;
using Controller.Domain.Work;
using Microsoft.Extensions.Options;

namespace Controller.Application.Work.Commands.GetWork;

/// <summary>
/// Several getwork calls run as one round: one read of their instances with what they hold, one claim per engine and
/// one transaction, instead of a read, a read and a transaction each. Only the common case is taken: an instance that is
/// running, on a host the placement view knows as active, of an active engine that is not letting idle copies go, whose
/// reported outcomes are all for tasks it holds and are all accepted, and that appears once in the batch. Every other
/// call gets null and runs on its own (<see cref="GetWorkCommandHandler"/>), which also gives the refusals and the
/// terminate decisions; a batch that loses a race throws, and all its calls run on their own. The steps are the single
/// round's (<see cref="GetWorkSteps"/>), so both answer alike.
/// </summary>
public sealed class GetWorkBatchRound(
    ITaskRepository tasks,
    IUnitOfWork unitOfWork,
    IClusterViewSource clusterView,
    ControllerMetrics metrics,
    IOptions<WorkOptions> options,
    IOptions<SchedulingOptions> scheduling,
    TimeProvider clock)
{
    private sealed record Call(int Index, GetWorkCommand Command, EngineInstance Instance, Engine Engine, int Held, List<Guid> Cancelled);

    /// <summary>One answer per command, in order; null for the calls left to run on their own.</summary>
    public async Task<GetWorkAnswer?[]> RunAsync(IReadOnlyList<GetWorkCommand> commands, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var resolution = GetWorkSteps.HeartbeatResolution(scheduling.Value);
        var healthyAfter = scheduling.Value.HealthyAfter();
        var answers = new GetWorkAnswer?[commands.Count];
        var ids = commands.Select(c => c.InstanceId).Distinct().ToList();
        var found = (await tasks.ListInstancesWithHeldAsync(ids, now, cancellationToken)).ToDictionary(r => r.Instance.Id);
        var view = await clusterView.GetAsync(cancellationToken);
        var engines = view.Engines.ToDictionary(e => e.Id);

        var calls = new List<Call>();
        var seen = new HashSet<Guid>();
        for (var index = 0; index < commands.Count; index++)
        {
            var command = commands[index];
            if (!seen.Add(command.InstanceId)
                || !found.TryGetValue(command.InstanceId, out var row)
                || row.Instance is not { } instance
                || instance.State != EngineInstanceState.Running
                || !engines.TryGetValue(instance.EngineId, out var engine)
                || !view.IsActiveHost(instance.HostId))
            {
                continue;
            }

            var mine = row.Held;
            var byId = mine.ToDictionary(t => t.Id);
            if ((engine.ScalingMode == ScalingMode.Queue && engine.Surplus > 0)
                || !WorkDispatch.Decide(instance, HostState.Active, engine, mine.Count(t => t.IsHeldBy(instance.Id, now))).MayTakeWork
                || GetWorkSteps.Refusals(command, byId, now).Count > 0
                || instance.BecomesHealthyAt(now, healthyAfter))
            {
                continue; // (a copy proving healthy forgives its engine's failures: the call's own round does that)
            }

            // From here the call is in the batch: its changes are saved with the others' or not at all.
            GetWorkSteps.ApplyOutcomes(command, byId, now);
            instance.Heartbeat(busy: instance.Busy, now, resolution);
            GetWorkSteps.ReleaseUnreported(command, mine, now);
            var (held, cancelled) = GetWorkSteps.ExtendLeases(instance, mine, now);
            calls.Add(new Call(index, command, instance, engine, held, cancelled));
        }

        if (calls.Count == 0)
        {
            return answers;
        }

        var leased = await unitOfWork.InTransactionAsync(ct => ClaimAsync(calls, now, resolution, ct), cancellationToken);
        foreach (var call in calls)
        {
            var items = leased[call.Index];
            var action = WorkVerdict.Take.ActionFor(call.Held, items.Count);
            answers[call.Index] = new GetWorkAnswer(action, items, action == WorkAction.Wait ? options.Value.PollSeconds : null, call.Cancelled);
            GetWorkSteps.Record(metrics, call.Engine.Name, call.Command, items.Count);
        }

        return answers;
    }

    /// <summary>One claim per engine for what its calls ask, shared out in the calls' order; runs in the saving transaction.</summary>
    private async Task<Dictionary<int, List<WorkItemDto>>> ClaimAsync(List<Call> calls, DateTimeOffset now, TimeSpan resolution, CancellationToken cancellationToken)
    {
        var leased = new Dictionary<int, List<WorkItemDto>>();
        foreach (var engineCalls in calls.GroupBy(c => c.Instance.EngineId))
        {
            var wanted = engineCalls.Sum(c => c.Command.MaxItems ?? GetWorkCommand.DefaultMaxItems);
            var queue = new Queue<WorkTask>(wanted > 0 ? await tasks.ClaimQueuedAsync(engineCalls.Key, wanted, cancellationToken) : []);
            foreach (var call in engineCalls)
            {
                var items = new List<WorkItemDto>();
                for (var n = call.Command.MaxItems ?? GetWorkCommand.DefaultMaxItems; n > 0 && queue.TryDequeue(out var task); n--)
                {
                    items.Add(GetWorkSteps.Lease(task, call.Instance, now));
                }

                GetWorkSteps.Heartbeat(call.Instance, call.Held, items.Count, now, resolution);
                leased[call.Index] = items;
            }
        }

        return leased;
    }
}
