using System.Net.Mime;
using Controller.Api.Contracts;
using Controller.Api.Security;
using Controller.Application.Common.Models;
using Controller.Application.Hosts.Commands.DrainHost;
using Controller.Application.Hosts.Commands.RegisterHost;
using Controller.Application.Hosts.Commands.RotateHostToken;
using Controller.Application.Hosts.Commands.TerminateHost;
using Controller.Application.Hosts.Commands.UndrainHost;
using Controller.Application.Hosts.Commands.UpdateHostStatus;
using Controller.Application.Hosts.Models;
using Controller.Application.Hosts.Queries.GetHostDetail;
using Controller.Application.Hosts.Queries.GetHostStatus;
using Controller.Application.Hosts.Queries.ListHosts;
using Controller.Domain.Hosts;
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
    [ProducesResponseType<RegisterHostResult>(StatusCodes.Status201Created)]
    [ProducesResponseType<RegisterHostResult>(StatusCodes.Status200OK)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status400BadRequest, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status409Conflict, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status415UnsupportedMediaType, MediaTypeNames.Application.ProblemJson)]
    public async Task<ActionResult<RegisterHostResult>> Register(RegisterHostCommand command, CancellationToken ct)
    {
        var result = await sender.Send(command, ct);
        return result.Created ? Created($"/host/{result.HostId}/detail", result) : Ok(result);
    }

    /// <summary>Report the host's free resources and containers; the answer says what to launch and terminate.</summary>
    [HttpPost("{hostId:guid}/updatestatus")]
    [Authorize(Policy = Policies.Host)]
    [Consumes(MediaTypeNames.Application.Json)]
    [ProducesResponseType<HostStatusAnswer>(StatusCodes.Status200OK)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status400BadRequest, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status404NotFound, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status409Conflict, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status415UnsupportedMediaType, MediaTypeNames.Application.ProblemJson)]
    public async Task<HostStatusAnswer> UpdateStatus(Guid hostId, UpdateStatusRequest request, CancellationToken ct) =>
        await sender.Send(new UpdateHostStatusCommand(hostId, request.Available, request.Containers), ct);

    /// <summary>Mark the host for deletion (admin).</summary>
    [HttpPost("{hostId:guid}/terminate")]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType<HostSummaryDto>(StatusCodes.Status202Accepted)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status404NotFound, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status409Conflict, MediaTypeNames.Application.ProblemJson)]
    public async Task<ActionResult<HostSummaryDto>> Terminate(Guid hostId, CancellationToken ct) =>
        Accepted($"/host/{hostId}/detail", await sender.Send(new TerminateHostCommand(hostId), ct));

    /// <summary>The host: identity, capacity, state, allocations and engine instances (admin or that host).</summary>
    [HttpGet("{hostId:guid}/detail")]
    [Authorize(Policy = Policies.AdminOrHost)]
    [ProducesResponseType<HostDetailDto>(StatusCodes.Status200OK)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status404NotFound, MediaTypeNames.Application.ProblemJson)]
    public async Task<HostDetailDto> Detail(Guid hostId, CancellationToken ct) =>
        await sender.Send(new GetHostDetailQuery(hostId), ct);

    /// <summary>The last status report as received and the controller's answer (admin or that host).</summary>
    [HttpGet("{hostId:guid}/status")]
    [Authorize(Policy = Policies.AdminOrHost)]
    [ProducesResponseType<HostStatusDto>(StatusCodes.Status200OK)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status404NotFound, MediaTypeNames.Application.ProblemJson)]
    public async Task<HostStatusDto> Status(Guid hostId, CancellationToken ct) =>
        await sender.Send(new GetHostStatusQuery(hostId), ct);

    /// <summary>Put the host into draining: no new launches; optional deadline in seconds (admin).</summary>
    [HttpPost("{hostId:guid}/drain")]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType<HostSummaryDto>(StatusCodes.Status202Accepted)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status400BadRequest, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status404NotFound, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status409Conflict, MediaTypeNames.Application.ProblemJson)]
    public async Task<ActionResult<HostSummaryDto>> Drain(
        Guid hostId,
        [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] DrainRequest? request,
        CancellationToken ct) =>
        Accepted($"/host/{hostId}/detail", await sender.Send(new DrainHostCommand(hostId, request?.DeadlineSeconds), ct));

    /// <summary>Return a draining or drained host to service (admin).</summary>
    [HttpPost("{hostId:guid}/undrain")]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType<HostSummaryDto>(StatusCodes.Status202Accepted)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status404NotFound, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status409Conflict, MediaTypeNames.Application.ProblemJson)]
    public async Task<ActionResult<HostSummaryDto>> Undrain(Guid hostId, CancellationToken ct) =>
        Accepted($"/host/{hostId}/detail", await sender.Send(new UndrainHostCommand(hostId), ct));

    /// <summary>Rotate the host's token (admin or that host): the new secret is in this answer only; the old one works for a short overlap.</summary>
    [HttpPost("{hostId:guid}/token")]
    [Authorize(Policy = Policies.AdminOrHost)]
    [ProducesResponseType<RotatedHostToken>(StatusCodes.Status201Created)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status404NotFound, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status409Conflict, MediaTypeNames.Application.ProblemJson)]
    public async Task<ActionResult<RotatedHostToken>> RotateToken(Guid hostId, CancellationToken ct) =>
        Created($"/host/{hostId}/detail", await sender.Send(new RotateHostTokenCommand(hostId), ct));

    /// <summary>List hosts, newest first, optionally by state (admin).</summary>
    [HttpGet]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType<PagedResult<HostSummaryDto>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status400BadRequest, MediaTypeNames.Application.ProblemJson)]
    public async Task<PagedResult<HostSummaryDto>> List(
        [FromQuery] HostState? state,
        [FromQuery] int page = 1,
        [FromQuery] int pageSize = PagingRules.DefaultPageSize,
        CancellationToken ct = default) =>
        await sender.Send(new ListHostsQuery(state, page, pageSize), ct);
}
