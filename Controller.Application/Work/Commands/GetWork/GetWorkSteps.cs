using Controller.Application.Common.Models;
using Controller.Application.Common.Options;
using Controller.Application.Common.Telemetry;
using Controller.Application.Work.Models;
using Controller.Domain.EngineInstances;
using Controller.Domain.Work;

namespace Controller.Application.Work.Commands.GetWork;

/// <summary>
/// The steps of a getwork call on rows already read (<see cref="GetWorkRound"/>, <see cref="GetWorkBatch"/>); the rules
/// themselves are the domain's (<see cref="WorkTask"/>, <see cref="WorkDispatch"/>).
/// </summary>
internal static class GetWorkSteps
{
    /// <summary>
    /// getwork proves the instance alive, but its row is written only when something changed or its last heartbeat is
    /// a tenth of the heartbeat timeout old (at most 5 s): an instance that keeps working writes its tasks, not itself.
    /// Becoming busy is a change, so the status round's choice of idle copies still races with it on the row's version.
    /// </summary>
    public static TimeSpan HeartbeatResolution(SchedulingOptions scheduling) =>
        TimeSpan.FromSeconds(Math.Min(5, scheduling.InstanceHeartbeatTimeoutSeconds / 10.0));

    /// <summary>The outcomes that would be refused (a task not in <paramref name="found"/> is refused as not found).</summary>
    public static List<RefusedOutcome> Refusals(GetWorkCommand command, IReadOnlyDictionary<Guid, WorkTask> found, DateTimeOffset now)
    {
        var refused = new List<RefusedOutcome>();
        foreach (var outcome in command.Completed ?? [])
        {
            var taskId = outcome.TaskId!.Value;
            var reason = !found.TryGetValue(taskId, out var task) ? "task_not_found" : task.RefusalOf(command.InstanceId, outcome.Outcome!.Value, now);
            if (reason is not null)
            {
                refused.Add(new RefusedOutcome(taskId, reason));
            }
        }

        return refused;
    }

    /// <summary>Applies the outcomes; call only when <see cref="Refusals"/> found none.</summary>
    public static void ApplyOutcomes(GetWorkCommand command, IReadOnlyDictionary<Guid, WorkTask> found, DateTimeOffset now)
    {
        foreach (var outcome in command.Completed ?? [])
        {
            found[outcome.TaskId!.Value].Complete(command.InstanceId, outcome.Outcome!.Value,
                outcome.Result is { } result ? JsonText.Compact(result) : null, outcome.Error, now);
        }
    }

    /// <summary>
    /// When the call names what the instance holds, every other task leased to it goes back to the queue (the answer
    /// that handed it over was lost). Runs after the outcomes are applied, so the tasks it reported are not touched.
    /// </summary>
    public static int ReleaseUnreported(GetWorkCommand command, IEnumerable<WorkTask> mine, DateTimeOffset now)
    {
        if (command.Holding is not { } holding)
        {
            return 0;
        }

        var kept = holding.ToHashSet();
        return mine.Count(t => !kept.Contains(t.Id) && t.Release(command.InstanceId, now));
    }

    /// <summary>Extends the leases the instance still holds; returns how many it holds and which were cancelled meanwhile.</summary>
    public static (int Held, List<Guid> Cancelled) ExtendLeases(EngineInstance instance, IReadOnlyCollection<WorkTask> mine, DateTimeOffset now) =>
        (mine.Count(t => t.ExtendLease(instance.Id, now)), mine.Where(t => t.IsCancellationNoticeFor(instance.Id, now)).Select(t => t.Id).ToList());

    /// <summary>Counts the tasks leased and the outcomes reported by one call, under its engine's name.</summary>
    public static void Record(ControllerMetrics metrics, string engine, GetWorkCommand command, int leased)
    {
        metrics.TasksLeased(engine, leased);
        foreach (var outcome in command.Completed ?? [])
        {
            metrics.TaskOutcome(engine, outcome.Outcome!.Value == TaskOutcome.Succeeded ? "succeeded" : "failed");
        }
    }

    /// <summary>
    /// Records the call's heartbeat once its tasks are known. A copy handed work is always written (not only once per
    /// heartbeat resolution): the save then checks the copy's row version in the same transaction as the leases, so a
    /// stop or loss committed meanwhile (a scale-down, a status round, the sweep) fails the save and the tasks stay
    /// queued; the call is retried and sees the copy stopped.
    /// </summary>
    public static void Heartbeat(EngineInstance instance, int held, int leased, DateTimeOffset now, TimeSpan resolution) =>
        instance.Heartbeat(busy: held + leased > 0, now, leased > 0 ? null : resolution);

    /// <summary>Leases <paramref name="task"/> to the instance and describes it for the answer.</summary>
    public static WorkItemDto Lease(WorkTask task, EngineInstance instance, DateTimeOffset now)
    {
        task.Lease(instance.Id, now);
        return new WorkItemDto(task.Id, JsonText.Parse(task.Payload)!.Value, task.Attempts, task.LeaseExpiresAt!.Value);
    }
}
