using System.Net.Mime;
using Controller.Api.Contracts;
using Controller.Api.Security;
using Controller.Application.Audit.Queries.ListAudit;
using Controller.Application.Common.Models;
using Mediator;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Controller.Api.Controllers;

/// <summary>The audit log of admin actions (admin).</summary>
[Route("audit")]
[Authorize(Policy = Policies.Admin)]
public sealed class AuditController(ISender sender) : ApiControllerBase
{
    /// <summary>Admin actions, newest first, by token and by text in the action (method and path).</summary>
    [HttpGet]
    [ProducesResponseType<PageResponse<AuditEntryResponse>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status400BadRequest, MediaTypeNames.Application.ProblemJson)]
    public async Task<PageResponse<AuditEntryResponse>> List(
        [FromQuery] Guid? tokenId,
        [FromQuery] string? action,
        [FromQuery] int page = 1,
        [FromQuery] int pageSize = PagingRules.DefaultPageSize,
        CancellationToken ct = default) =>
        (await sender.Send(new ListAuditQuery(tokenId, action, page, pageSize), ct)).ToResponse();
}
