using System.Text.Json;

namespace Controller.Api.Contracts;

/// <summary>queued → leased → succeeded; back to queued on an expired lease or a failure with attempts left; failed after the last; cancelled.</summary>
public enum TaskState
{
    Queued,
    Leased,
    Succeeded,
    Failed,
    Cancelled,
}

/// <summary>What an engine instance reports about a task it held.</summary>
public enum TaskOutcome
{
    Succeeded,
    Failed,
}

/// <summary>process: work on the items; wait: ask again after waitSeconds; terminate: no more work will come, exit.</summary>
public enum WorkAction
{
    Process,
    Wait,
    Terminate,
}

/// <summary>
/// Body of POST /task: work for one engine. <c>payload</c> is any JSON value, handed to the engine as given;
/// <c>priority</c> higher first (default 0); <c>maxAttempts</c> (default 3); <c>timeoutSeconds</c>, the lease (default 300);
/// <c>idempotencyKey</c>: a repeat with the same key (for the same engine) answers the same task, 200 instead of 201.
/// Unknown fields are ignored (clients are programs).
/// </summary>
[ValidatedAs(typeof(Application.Work.Models.TaskSubmission))]
public sealed record SubmitTaskRequest(Guid? EngineId, JsonElement? Payload, int? Priority, int? MaxAttempts, int? TimeoutSeconds, string? IdempotencyKey);

/// <summary>Body of POST /task/batch: up to 500 tasks, stored together or not at all.</summary>
[ValidatedAs(typeof(Application.Work.Commands.SubmitTaskBatch.SubmitTaskBatchCommand))]
public sealed record SubmitTaskBatchRequest(IReadOnlyList<SubmitTaskRequest?>? Tasks);

/// <summary>A task. <c>engineInstanceId</c>: the instance holding it, or that held it last; <c>error</c>: the last error.</summary>
public sealed record TaskResponse(
    Guid TaskId,
    Guid EngineId,
    TaskState State,
    JsonElement Payload,
    int Priority,
    int Attempts,
    int MaxAttempts,
    int TimeoutSeconds,
    string? IdempotencyKey,
    Guid? EngineInstanceId,
    DateTimeOffset? LeaseExpiresAt,
    JsonElement? Result,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? FinishedAt);

/// <summary>The tasks of a batch, in the order they were sent.</summary>
public sealed record TaskBatchResponse(IReadOnlyList<TaskResponse> Tasks);

/// <summary>A page of tasks, newest first; pass <c>nextCursor</c> as <c>cursor</c> for the next page (null on the last).</summary>
public sealed record TaskPageResponse(IReadOnlyList<TaskResponse> Items, string? NextCursor);

/// <summary>The outcome of a task the instance held: succeeded with an optional result, or failed with an error.</summary>
[ValidatedAs(typeof(Application.Work.Commands.GetWork.CompletedTask))]
public sealed record CompletedTaskRequest(Guid? TaskId, TaskOutcome? Outcome, JsonElement? Result, string? Error);

/// <summary>
/// Body of POST /engine_instance/{id}/getwork: outcomes of tasks it held (all are applied, or none with 409), how many
/// more it can take (<c>maxItems</c>, default 1, 0 to only report), and optionally the tasks it is still working on
/// (<c>holding</c>, besides those in <c>completed</c>): any other task leased to it then goes back to the queue at once
/// (an answer it never got). <c>waitSeconds</c> (0 to 20; 0 or absent: answer at once) long-polls: with nothing to hand
/// out, the call is held until a task for its engine arrives (answer <c>process</c>), the copy must stop
/// (<c>terminate</c>), or the wait ends (<c>wait</c>); outcomes in the call are applied before it waits. Unknown fields
/// are ignored.
/// </summary>
[ValidatedAs(typeof(Application.Work.Commands.GetWork.GetWorkCommand))]
public sealed record GetWorkRequest(IReadOnlyList<CompletedTaskRequest?>? Completed, int? MaxItems, IReadOnlyList<Guid>? Holding = null, int? WaitSeconds = null);

/// <summary>A task to work on: its payload, which attempt this is, and when the lease ends unless the instance heartbeats.</summary>
public sealed record WorkItemResponse(Guid TaskId, JsonElement Payload, int Attempt, DateTimeOffset LeaseExpiresAt);

/// <summary>
/// The getwork answer: <c>process</c> the items, <c>wait</c> waitSeconds and ask again, or <c>terminate</c>.
/// <c>cancelledTaskIds</c>: tasks it holds that were cancelled (drop them).
/// </summary>
public sealed record GetWorkResponse(WorkAction Action, IReadOnlyList<WorkItemResponse> Items, int? WaitSeconds, IReadOnlyList<Guid> CancelledTaskIds);
