using System.Net.Mime;
using Controller.Api.Contracts;
using Controller.Api.Security;
using Controller.Application.Common.Models;
using Controller.Application.Tokens.Commands.RevokeToken;
using Controller.Application.Tokens.Queries.ListTokens;
using Mediator;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Controller.Api.Controllers;

/// <summary>Tokens (admin): issue admin and registration tokens, list them (never the secret), revoke.</summary>
[Route("token")]
[Authorize(Policy = Policies.Admin)]
public sealed class TokenController(ISender sender) : ApiControllerBase
{
    /// <summary>Issue a token; the secret is in this answer only.</summary>
    [HttpPost]
    [Consumes(MediaTypeNames.Application.Json)]
    [ProducesResponseType<IssuedTokenResponse>(StatusCodes.Status201Created)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status400BadRequest, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status415UnsupportedMediaType, MediaTypeNames.Application.ProblemJson)]
    public async Task<ActionResult<IssuedTokenResponse>> Create(CreateTokenRequest request, CancellationToken ct)
    {
        var token = (await sender.Send(request.ToCommand(), ct)).ToResponse();
        return Created($"/token/{token.TokenId}", token);
    }

    /// <summary>List tokens, newest first.</summary>
    [HttpGet]
    [ProducesResponseType<PageResponse<TokenResponse>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status400BadRequest, MediaTypeNames.Application.ProblemJson)]
    public async Task<PageResponse<TokenResponse>> List(
        [FromQuery] TokenKind? kind,
        [FromQuery] bool includeRevoked = false,
        [FromQuery] int page = 1,
        [FromQuery] int pageSize = PagingRules.DefaultPageSize,
        CancellationToken ct = default) =>
        (await sender.Send(new ListTokensQuery(kind.ToDomain(), includeRevoked, page, pageSize), ct)).ToResponse();

    /// <summary>Revoke a token.</summary>
    [HttpDelete("{tokenId:guid}")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status404NotFound, MediaTypeNames.Application.ProblemJson)]
    [ProducesResponseType<ErrorResponse>(StatusCodes.Status409Conflict, MediaTypeNames.Application.ProblemJson)]
    public async Task<IActionResult> Revoke(Guid tokenId, CancellationToken ct)
    {
        await sender.Send(new RevokeTokenCommand(tokenId), ct);
        return NoContent();
    }
}
