using System.Net.Mime;
using Controller.Api.Contracts;
using Controller.Api.Security;
using Controller.Application.Work.Commands.CancelTask;
using Controller.Application.Work.Commands.SubmitTask;
using Controller.Application.Work.Commands.SubmitTaskBatch;
using Controller.Application.Work.Queries.GetTask;
using Controller.Application.Work.Queries.ListTasks;
using Mediator;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Controller.Api.Controllers;

/// <summary>
/// The task queue: clients (and admins) submit work for an engine and follow it; engine instances pull it with getwork.
/// A client token sees and cancels only the tasks it submitted (others answer 404); admins every task.
/// </summary>
[Route("task")]
[Authorize(Policy = Policies.AdminOrClient)]
public sealed class TaskController(ISender sender) : ApiControllerBase
{
    /// <summary>Submit a task (201); a repeat with the same idempotency key answers the same task (200), or 409 when it differs.</summary>
    [HttpPost]
    [Consumes(MediaTypeNames.Application.Json)]
    [ProducesResponseType<TaskResponse>(StatusCodes.Status201Created)]
    [ProducesResponseType<TaskResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status400BadRequest, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status404NotFound, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status409Conflict, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status415UnsupportedMediaType, MediaTypeNames.Application.ProblemJson)]
    public async Task<ActionResult<TaskResponse>> Submit(SubmitTaskRequest request, CancellationToken ct)
    {
        var submitted = await sender.Send(new SubmitTaskCommand(request.ToSubmission()), ct);
        var body = submitted.Task.ToResponse();
        return submitted.Created ? Created($"/task/{body.TaskId}", body) : Ok(body);
    }

    /// <summary>Submit up to 500 tasks, stored together or not at all (201; 200 when every one was an idempotent repeat).</summary>
    [HttpPost("batch")]
    [Consumes(MediaTypeNames.Application.Json)]
    [ProducesResponseType<TaskBatchResponse>(StatusCodes.Status201Created)]
    [ProducesResponseType<TaskBatchResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status400BadRequest, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status404NotFound, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status409Conflict, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status415UnsupportedMediaType, MediaTypeNames.Application.ProblemJson)]
    public async Task<ActionResult<TaskBatchResponse>> SubmitBatch(SubmitTaskBatchRequest request, CancellationToken ct)
    {
        var submitted = await sender.Send(new SubmitTaskBatchCommand(request.Tasks.ToSubmissions()), ct);
        var body = new TaskBatchResponse([.. submitted.Select(s => s.Task.ToResponse())]);
        return submitted.Any(s => s.Created) ? StatusCode(StatusCodes.Status201Created, body) : Ok(body);
    }

    /// <summary>List tasks, newest first, by engine and state, a page at a time (cursor paging); a client token lists its own.</summary>
    [HttpGet]
    [ProducesResponseType<TaskPageResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status400BadRequest, MediaTypeNames.Application.ProblemJson)]
    public async Task<TaskPageResponse> List(
        [FromQuery] Guid? engineId,
        [FromQuery] TaskState? state,
        [FromQuery] string? cursor,
        [FromQuery] int limit = ListTasksQuery.DefaultLimit,
        CancellationToken ct = default) =>
        (await sender.Send(new ListTasksQuery(engineId, state.ToDomain(), cursor, limit), ct)).ToResponse();

    /// <summary>One task: its state, attempts, result or last error.</summary>
    [HttpGet("{taskId:guid}")]
    [ProducesResponseType<TaskResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status404NotFound, MediaTypeNames.Application.ProblemJson)]
    public async Task<TaskResponse> Get(Guid taskId, CancellationToken ct) =>
        (await sender.Send(new GetTaskQuery(taskId), ct)).ToResponse();

    /// <summary>Cancel a queued or leased task (a leased task's instance is told); cancelling it again changes nothing; 409 once it finished.</summary>
    [HttpDelete("{taskId:guid}")]
    [ProducesResponseType<TaskResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status404NotFound, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status409Conflict, MediaTypeNames.Application.ProblemJson)]
    public async Task<TaskResponse> Cancel(Guid taskId, CancellationToken ct) =>
        (await sender.Send(new CancelTaskCommand(taskId), ct)).ToResponse();
}
