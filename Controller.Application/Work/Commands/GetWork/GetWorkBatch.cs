using Controller.Application.Common;
using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Application.EngineInstances;
using Controller.Application.Work.Models;
using Controller.Domain.Work;

namespace Controller.Application.Work.Commands.GetWork;

/// <summary>
/// The getwork calls of a batch run as one: their instances read once with what they hold, each call prepared in turn
/// (<see cref="GetWorkRound"/>), one claim per engine for the calls that take work, and one transaction for all (the
/// claim and the save are one, so that the rows a claim locks stay locked until they are saved). Everything read is
/// saved under its version: a batch that loses a race runs again from fresh reads. A call whose outcomes are refused,
/// or whose instance does not exist, gets its error and changes nothing; an instance met twice waits for the next batch.
/// </summary>
public sealed class GetWorkBatch(ITaskRepository tasks, IUnitOfWork unitOfWork, IClusterViewSource clusterView, GetWorkRound round, TimeProvider clock)
{
    public async Task<BatchOutcome<GetWorkAnswer>[]> RunAsync(IReadOnlyList<GetWorkCommand> commands, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var outcomes = new BatchOutcome<GetWorkAnswer>[commands.Count];
        var ids = commands.Select(c => c.InstanceId).Distinct().ToList();
        var found = (await tasks.ListInstancesWithHeldAsync(ids, now, cancellationToken)).ToDictionary(r => r.Instance.Id);
        var view = await clusterView.GetAsync(cancellationToken);
        var prepared = new List<(int Index, PreparedGetWork Call)>();
        var seen = new HashSet<Guid>();
        for (var index = 0; index < commands.Count; index++)
        {
            var command = commands[index];
            if (!found.TryGetValue(command.InstanceId, out var row))
            {
                outcomes[index] = BatchOutcome.Refused<GetWorkAnswer>(EngineInstanceErrors.NotFound(command.InstanceId));
            }
            else if (seen.Add(command.InstanceId))
            {
                try
                {
                    prepared.Add((index, await round.PrepareAsync(command, row.Instance, row.Held, view, now, cancellationToken)));
                }
                catch (ApplicationProblemException refused)
                {
                    outcomes[index] = BatchOutcome.Refused<GetWorkAnswer>(refused); // thrown before it changed anything
                }
            }
        }

        var leased = prepared.Any(p => p.Call.Wanted > 0)
            ? await unitOfWork.InTransactionAsync(ct => ClaimAsync(prepared, now, ct), cancellationToken)
            : await SaveAsync(cancellationToken);
        foreach (var (index, call) in prepared)
        {
            outcomes[index] = round.Answer(call, leased.GetValueOrDefault(index, []));
        }

        return outcomes;
    }

    private async Task<Dictionary<int, List<WorkItemDto>>> SaveAsync(CancellationToken cancellationToken)
    {
        await unitOfWork.SaveChangesAsync(cancellationToken);
        return [];
    }

    /// <summary>One claim per engine for what its calls ask, shared out in the calls' order; runs in the saving transaction.</summary>
    private async Task<Dictionary<int, List<WorkItemDto>>> ClaimAsync(List<(int Index, PreparedGetWork Call)> prepared, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var leased = new Dictionary<int, List<WorkItemDto>>();
        foreach (var engineCalls in prepared.Where(p => p.Call.Wanted > 0).GroupBy(p => p.Call.Instance.EngineId))
        {
            var queue = new Queue<WorkTask>(await tasks.ClaimQueuedAsync(engineCalls.Key, engineCalls.Sum(p => p.Call.Wanted), cancellationToken));
            foreach (var (index, call) in engineCalls)
            {
                var items = new List<WorkItemDto>();
                for (var n = call.Wanted; n > 0 && queue.TryDequeue(out var task); n--)
                {
                    items.Add(GetWorkSteps.Lease(task, call.Instance, now));
                }

                GetWorkSteps.Heartbeat(call.Instance, call.Held, items.Count, now, round.HeartbeatResolution);
                leased[index] = items;
            }
        }

        return leased;
    }
}
