using System.Net.Mime;
using Controller.Api.Contracts;
using Controller.Api.Security;
using Controller.Application.Common.Models;
using Controller.Application.Engines.Commands.CreateEngine;
using Controller.Application.Engines.Commands.DeleteEngine;
using Controller.Application.Engines.Commands.PatchEngine;
using Controller.Application.Engines.Commands.PauseRollout;
using Controller.Application.Engines.Commands.ResumeRollout;
using Controller.Application.Engines.Commands.RollBackEngine;
using Controller.Application.Engines.Commands.UpdateEngine;
using Controller.Application.Engines.Queries.GetEngine;
using Controller.Application.Engines.Queries.ListEngineRevisions;
using Controller.Application.Engines.Queries.ListEngines;
using Mediator;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Controller.Api.Controllers;

/// <summary>The engine catalogue (admin).</summary>
[Route("engine")]
[Authorize(Policy = Policies.Admin)]
public sealed class EngineController(ISender sender) : ApiControllerBase
{
    /// <summary>The media type of a JSON merge patch (RFC 7396).</summary>
    public const string MergePatchJson = "application/merge-patch+json";

    /// <summary>Add an engine; the status rounds launch copies up to its desired count.</summary>
    [HttpPost]
    [Consumes(MediaTypeNames.Application.Json)]
    [ProducesResponseType<EngineResponse>(StatusCodes.Status201Created)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status400BadRequest, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status409Conflict, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status415UnsupportedMediaType, MediaTypeNames.Application.ProblemJson)]
    public async Task<ActionResult<EngineResponse>> Create(EngineRequest request, CancellationToken ct)
    {
        var engine = await sender.Send(new CreateEngineCommand(request.ToDefinition()), ct);
        return Created($"/engine/{engine.EngineId}", engine.ToResponse());
    }

    /// <summary>List engines by name (deleted ones whose copies are still stopping are included).</summary>
    [HttpGet]
    [ProducesResponseType<PageResponse<EngineResponse>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status400BadRequest, MediaTypeNames.Application.ProblemJson)]
    public async Task<PageResponse<EngineResponse>> List([FromQuery] int page = 1, [FromQuery] int pageSize = PagingRules.DefaultPageSize, CancellationToken ct = default) =>
        (await sender.Send(new ListEnginesQuery(page, pageSize), ct)).ToResponse();

    /// <summary>One engine with its count of active copies.</summary>
    [HttpGet("{engineId:guid}")]
    [ProducesResponseType<EngineResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status404NotFound, MediaTypeNames.Application.ProblemJson)]
    public async Task<EngineResponse> Get(Guid engineId, CancellationToken ct) => (await sender.Send(new GetEngineQuery(engineId), ct)).ToResponse();

    /// <summary>Replace an engine's definition; a new desired count is converged to by the next status rounds.</summary>
    [HttpPut("{engineId:guid}")]
    [Consumes(MediaTypeNames.Application.Json)]
    [ProducesResponseType<EngineResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status400BadRequest, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status404NotFound, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status409Conflict, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status415UnsupportedMediaType, MediaTypeNames.Application.ProblemJson)]
    public async Task<EngineResponse> Update(Guid engineId, EngineRequest request, CancellationToken ct) =>
        (await sender.Send(new UpdateEngineCommand(engineId, request.ToDefinition()), ct)).ToResponse();

    /// <summary>
    /// Change some fields of an engine with a JSON merge patch (RFC 7396), e.g. <c>{"desiredInstances": 1}</c> to scale:
    /// the fields sent replace the current ones, <c>null</c> resets one, the rest is kept (PUT replaces the whole definition).
    /// 409 <c>engine_scaled_by_queue</c> for a <c>desiredInstances</c> the queue decides (send <c>scaling</c> too to take it back).
    /// </summary>
    [HttpPatch("{engineId:guid}")]
    [Consumes(MergePatchJson, MediaTypeNames.Application.Json)]
    [ProducesResponseType<EngineResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status400BadRequest, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status404NotFound, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status409Conflict, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status415UnsupportedMediaType, MediaTypeNames.Application.ProblemJson)]
    public async Task<EngineResponse> Patch(Guid engineId, [FromBody] System.Text.Json.Nodes.JsonObject? patch, CancellationToken ct) =>
        (await sender.Send(new PatchEngineCommand(engineId, patch), ct)).ToResponse();

    /// <summary>The revisions of an engine that are kept (the last 10, and its current and stable ones), newest first.</summary>
    [HttpGet("{engineId:guid}/revisions")]
    [ProducesResponseType<EngineRevisionsResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status404NotFound, MediaTypeNames.Application.ProblemJson)]
    public async Task<EngineRevisionsResponse> Revisions(Guid engineId, CancellationToken ct) =>
        new([.. (await sender.Send(new ListEngineRevisionsQuery(engineId), ct)).Select(r => r.ToResponse())]);

    /// <summary>
    /// Go back to an earlier revision (<c>{"revision": 2}</c>; an empty body: the stable revision, or else the one before
    /// the current): its definition becomes the engine's again, and copies of other revisions are replaced under the
    /// update policy. 404 <c>engine_revision_not_found</c> for a revision not kept; 409 <c>engine_revision_current</c> for
    /// the current one.
    /// </summary>
    [HttpPost("{engineId:guid}/rollback")]
    [Consumes(MediaTypeNames.Application.Json)]
    [ProducesResponseType<EngineResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status400BadRequest, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status404NotFound, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status409Conflict, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status415UnsupportedMediaType, MediaTypeNames.Application.ProblemJson)]
    public async Task<EngineResponse> Rollback(Guid engineId, RollbackRequest request, CancellationToken ct) =>
        (await sender.Send(new RollBackEngineCommand(engineId, request.Revision), ct)).ToResponse();

    /// <summary>
    /// Pause the engine's rollout: no more healthy outdated copy is stopped (copies of the new revision still start up
    /// to the surge), and it neither reverts nor resumes on its own until resumed, or until the engine changes again
    /// (which starts a new rollout). Pausing a paused rollout changes nothing. 409 <c>engine_rollout_none</c> when no
    /// rollout is under way.
    /// </summary>
    [HttpPost("{engineId:guid}/rollout/pause")]
    [ProducesResponseType<EngineResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status404NotFound, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status409Conflict, MediaTypeNames.Application.ProblemJson)]
    public async Task<EngineResponse> PauseRollout(Guid engineId, CancellationToken ct) =>
        (await sender.Send(new PauseRolloutCommand(engineId), ct)).ToResponse();

    /// <summary>
    /// Resume the engine's paused rollout, whatever paused it (an admin, its progress deadline, a crash loop): its
    /// failures are forgiven and its deadline counts from now. 409 <c>engine_rollout_none</c> when no rollout is under
    /// way, <c>engine_rollout_not_paused</c> when it is not paused.
    /// </summary>
    [HttpPost("{engineId:guid}/rollout/resume")]
    [ProducesResponseType<EngineResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status404NotFound, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status409Conflict, MediaTypeNames.Application.ProblemJson)]
    public async Task<EngineResponse> ResumeRollout(Guid engineId, CancellationToken ct) =>
        (await sender.Send(new ResumeRolloutCommand(engineId), ct)).ToResponse();

    /// <summary>Delete an engine (202): its copies are stopped, then it is gone.</summary>
    [HttpDelete("{engineId:guid}")]
    [ProducesResponseType<EngineResponse>(StatusCodes.Status202Accepted)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status404NotFound, MediaTypeNames.Application.ProblemJson)]
    public async Task<ActionResult<EngineResponse>> Delete(Guid engineId, CancellationToken ct) =>
        Accepted($"/engine/{engineId}", (await sender.Send(new DeleteEngineCommand(engineId), ct)).ToResponse());
}
