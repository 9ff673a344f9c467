using System.Net.Mime;
using Controller.Api.Contracts;
using Controller.Api.Security;
using Controller.Application.Common.Models;
using Controller.Application.Hosts.Commands.DrainHost;
using Controller.Application.Hosts.Commands.RotateHostToken;
using Controller.Application.Hosts.Commands.TerminateHost;
using Controller.Application.Hosts.Commands.UndrainHost;
using Controller.Application.Hosts.Commands.UpdateHostStatus;
using Controller.Application.Hosts.Queries.GetHostDetail;
using Controller.Application.Hosts.Queries.GetHostStatus;
using Controller.Application.Hosts.Queries.ListHosts;
using Mediator;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Controller.Api.Controllers;

/// <summary>Hosts: agents register and report; admins drain, undrain and terminate.</summary>
[Route("host")]
public sealed class HostController(ISender sender) : ApiControllerBase
{
    /// <summary>Register a host (registration or admin token), or re-register it with its own host token.</summary>
    [HttpPost("register")]
    [Authorize(Policy = Policies.Register)]
    [Consumes(MediaTypeNames.Application.Json)]
    [ProducesResponseType<RegisterHostResponse>(StatusCodes.Status201Created)]
    [ProducesResponseType<RegisterHostResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status400BadRequest, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status409Conflict, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status415UnsupportedMediaType, MediaTypeNames.Application.ProblemJson)]
    public async Task<ActionResult<RegisterHostResponse>> Register(RegisterHostRequest request, CancellationToken ct)
    {
        var result = (await sender.Send(request.ToCommand(), ct)).ToResponse();
        return result.Created ? Created($"/host/{result.HostId}/detail", result) : Ok(result);
    }

    /// <summary>Report the host's free resources and containers; the answer says what to launch and terminate.</summary>
    [HttpPost("{hostId:guid}/updatestatus")]
    [Authorize(Policy = Policies.Host)]
    [Consumes(MediaTypeNames.Application.Json)]
    [ProducesResponseType<HostStatusResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status400BadRequest, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status404NotFound, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status409Conflict, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status415UnsupportedMediaType, MediaTypeNames.Application.ProblemJson)]
    public async Task<HostStatusResponse> UpdateStatus(Guid hostId, UpdateStatusRequest request, CancellationToken ct) =>
        (await sender.Send(new UpdateHostStatusCommand(hostId, request.Available.ToModel(), request.Containers.ToModels()), ct)).ToResponse();

    /// <summary>Mark the host for deletion (admin).</summary>
    [HttpPost("{hostId:guid}/terminate")]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType<HostSummaryResponse>(StatusCodes.Status202Accepted)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status404NotFound, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status409Conflict, MediaTypeNames.Application.ProblemJson)]
    public async Task<ActionResult<HostSummaryResponse>> Terminate(Guid hostId, CancellationToken ct) =>
        Accepted($"/host/{hostId}/detail", (await sender.Send(new TerminateHostCommand(hostId), ct)).ToResponse());

    /// <summary>The host: identity, capacity, state, allocations and engine instances (admin or that host).</summary>
    [HttpGet("{hostId:guid}/detail")]
    [Authorize(Policy = Policies.AdminOrHost)]
    [ProducesResponseType<HostDetailResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status404NotFound, MediaTypeNames.Application.ProblemJson)]
    public async Task<HostDetailResponse> Detail(Guid hostId, CancellationToken ct) =>
        (await sender.Send(new GetHostDetailQuery(hostId), ct)).ToResponse();

    /// <summary>The last status report as received and the controller's answer (admin or that host).</summary>
    [HttpGet("{hostId:guid}/status")]
    [Authorize(Policy = Policies.AdminOrHost)]
    [ProducesResponseType<HostStatusReportResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status404NotFound, MediaTypeNames.Application.ProblemJson)]
    public async Task<HostStatusReportResponse> Status(Guid hostId, CancellationToken ct) =>
        (await sender.Send(new GetHostStatusQuery(hostId), ct)).ToResponse();

    /// <summary>
    /// Put the host into draining: no new launches; its copies stop as their replacements run elsewhere, and at the
    /// deadline (<c>deadlineSeconds</c>, else the controller's <c>Scheduling:DrainDeadlineSeconds</c>, one hour by default)
    /// whatever is left stops (admin). Draining again sets a new deadline only when one is given.
    /// </summary>
    [HttpPost("{hostId:guid}/drain")]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType<HostSummaryResponse>(StatusCodes.Status202Accepted)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status400BadRequest, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status404NotFound, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status409Conflict, MediaTypeNames.Application.ProblemJson)]
    public async Task<ActionResult<HostSummaryResponse>> Drain(
        Guid hostId,
        [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] DrainRequest? request,
        CancellationToken ct) =>
        Accepted($"/host/{hostId}/detail", (await sender.Send(new DrainHostCommand(hostId, request?.DeadlineSeconds), ct)).ToResponse());

    /// <summary>Return a draining or drained host to service (admin).</summary>
    [HttpPost("{hostId:guid}/undrain")]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType<HostSummaryResponse>(StatusCodes.Status202Accepted)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status404NotFound, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status409Conflict, MediaTypeNames.Application.ProblemJson)]
    public async Task<ActionResult<HostSummaryResponse>> Undrain(Guid hostId, CancellationToken ct) =>
        Accepted($"/host/{hostId}/detail", (await sender.Send(new UndrainHostCommand(hostId), ct)).ToResponse());

    /// <summary>Rotate the host's token (admin or that host): the new secret is in this answer only; the old one works for a short overlap.</summary>
    [HttpPost("{hostId:guid}/token")]
    [Authorize(Policy = Policies.AdminOrHost)]
    [ProducesResponseType<RotatedHostTokenResponse>(StatusCodes.Status201Created)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status404NotFound, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status409Conflict, MediaTypeNames.Application.ProblemJson)]
    public async Task<ActionResult<RotatedHostTokenResponse>> RotateToken(Guid hostId, CancellationToken ct) =>
        Created($"/host/{hostId}/detail", (await sender.Send(new RotateHostTokenCommand(hostId), ct)).ToResponse());

    /// <summary>List hosts, newest first, optionally by state (admin).</summary>
    [HttpGet]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType<PageResponse<HostSummaryResponse>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status400BadRequest, MediaTypeNames.Application.ProblemJson)]
    public async Task<PageResponse<HostSummaryResponse>> List(
        [FromQuery] HostState? state,
        [FromQuery] int page = 1,
        [FromQuery] int pageSize = PagingRules.DefaultPageSize,
        CancellationToken ct = default) =>
        (await sender.Send(new ListHostsQuery(state.ToDomain(), page, pageSize), ct)).ToResponse();
}
