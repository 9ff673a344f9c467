using System.Net.Mime;
using Controller.Api.Contracts;
using Microsoft.AspNetCore.Mvc;

namespace Controller.Api.Controllers;

/// <summary>
/// Common shape of every controller: JSON in and out, errors as problem details. Any operation may answer 400 (a query
/// parameter it does not take), 401, 403 and 429.
/// </summary>
[ApiController]
[Errors.RejectUnknownQueryParameters]
[ProducesResponseType<ErrorResponse>(StatusCodes.Status400BadRequest, MediaTypeNames.Application.ProblemJson)]
[ProducesResponseType<ErrorResponse>(StatusCodes.Status401Unauthorized, MediaTypeNames.Application.ProblemJson)]
[ProducesResponseType<ErrorResponse>(StatusCodes.Status403Forbidden, MediaTypeNames.Application.ProblemJson)]
[ProducesResponseType<ErrorResponse>(StatusCodes.Status429TooManyRequests, MediaTypeNames.Application.ProblemJson)]
public abstract class ApiControllerBase : ControllerBase
{
}
