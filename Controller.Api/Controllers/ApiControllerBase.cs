using System.Net.Mime;
using Microsoft.AspNetCore.Mvc;

namespace Controller.Api.Controllers;

/// <summary>Common shape of every controller: JSON in and out, errors as problem details.</summary>
[ApiController]
[ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, MediaTypeNames.Application.ProblemJson)]
[ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, MediaTypeNames.Application.ProblemJson)]
[ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, MediaTypeNames.Application.ProblemJson)]
public abstract class ApiControllerBase : ControllerBase
{
}
