using System.Net.Mime;
using Controller.Api.Contracts;
using Controller.Api.Security;
using Controller.Application.Common.Models;
using Controller.Application.EngineInstances.Commands.Heartbeat;
using Controller.Application.EngineInstances.Commands.RegisterEngineInstance;
using Controller.Application.EngineInstances.Commands.StopEngineInstance;
using Controller.Application.EngineInstances.Queries.GetEngineInstance;
using Controller.Application.EngineInstances.Queries.ListEngineInstances;
using Controller.Application.Work.Commands.GetWork;
using Mediator;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Controller.Api.Controllers;

/// <summary>Engine instances: admins list and stop them; each instance registers and heartbeats with its own token.</summary>
[Route("engine_instance")]
public sealed class EngineInstanceController(ISender sender) : ApiControllerBase
{
    /// <summary>List instances, newest first, by engine, host and state (admin).</summary>
    [HttpGet]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType<PageResponse<EngineInstanceResponse>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status400BadRequest, MediaTypeNames.Application.ProblemJson)]
    public async Task<PageResponse<EngineInstanceResponse>> List(
        [FromQuery] Guid? engineId,
        [FromQuery] Guid? hostId,
        [FromQuery] EngineInstanceState? state,
        [FromQuery] int page = 1,
        [FromQuery] int pageSize = PagingRules.DefaultPageSize,
        CancellationToken ct = default) =>
        (await sender.Send(new ListEngineInstancesQuery(engineId, hostId, state.ToDomain(), page, pageSize), ct)).ToResponse();

    /// <summary>One instance (admin, its host, or the instance itself).</summary>
    [HttpGet("{instanceId:guid}")]
    [Authorize(Policy = Policies.AdminHostOrInstance)]
    [ProducesResponseType<EngineInstanceResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status404NotFound, MediaTypeNames.Application.ProblemJson)]
    public async Task<EngineInstanceResponse> Get(Guid instanceId, CancellationToken ct) =>
        (await sender.Send(new GetEngineInstanceQuery(instanceId), ct)).ToResponse();

    /// <summary>The engine in the container announces itself (201); a second registration is 409.</summary>
    [HttpPost("{instanceId:guid}/register")]
    [Authorize(Policy = Policies.EngineInstance)]
    [ProducesResponseType<EngineInstanceResponse>(StatusCodes.Status201Created)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status404NotFound, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status409Conflict, MediaTypeNames.Application.ProblemJson)]
    public async Task<ActionResult<EngineInstanceResponse>> Register(Guid instanceId, CancellationToken ct) =>
        Created($"/engine_instance/{instanceId}", (await sender.Send(new RegisterEngineInstanceCommand(instanceId), ct)).ToResponse());

    /// <summary>Liveness and busy/idle; the answer says whether to accept new work and whether to stop.</summary>
    [HttpPost("{instanceId:guid}/heartbeat")]
    [Authorize(Policy = Policies.EngineInstance)]
    [ProducesResponseType<HeartbeatResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status400BadRequest, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status404NotFound, MediaTypeNames.Application.ProblemJson)]
    public async Task<HeartbeatResponse> Heartbeat(
        Guid instanceId,
        [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] HeartbeatRequest? request,
        CancellationToken ct) =>
        (await sender.Send(new HeartbeatCommand(instanceId, request?.Busy ?? false), ct)).ToResponse();

    /// <summary>
    /// Report the outcomes of tasks held (all applied, or none with 409 <c>outcome_refused</c>) and ask for more: the answer
    /// is <c>process</c> with leased items, <c>wait</c> (ask again after waitSeconds) or <c>terminate</c> (no more work will come).
    /// With <c>waitSeconds</c> in the request, an empty queue holds the call until work arrives, the copy must stop or the wait ends.
    /// </summary>
    [HttpPost("{instanceId:guid}/getwork")]
    [Authorize(Policy = Policies.EngineInstance)]
    [LongPoll]
    [ProducesResponseType<GetWorkResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status400BadRequest, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status404NotFound, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status409Conflict, MediaTypeNames.Application.ProblemJson)]
    public async Task<GetWorkResponse> GetWork(
        Guid instanceId,
        [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] GetWorkRequest? request,
        CancellationToken ct) =>
        (await sender.Send(new GetWorkCommand(instanceId, request?.Completed.ToModels(), request?.MaxItems, request?.Holding, request?.WaitSeconds), ct)).ToResponse();

    /// <summary>Stop an instance (admin, 202); its host's next status answer terminates it.</summary>
    [HttpDelete("{instanceId:guid}")]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType<EngineInstanceResponse>(StatusCodes.Status202Accepted)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status404NotFound, MediaTypeNames.Application.ProblemJson)]
    public async Task<ActionResult<EngineInstanceResponse>> Stop(Guid instanceId, CancellationToken ct) =>
        Accepted($"/engine_instance/{instanceId}", (await sender.Send(new StopEngineInstanceCommand(instanceId), ct)).ToResponse());
}
