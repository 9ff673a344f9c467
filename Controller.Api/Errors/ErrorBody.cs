using System.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Controller.Api.Errors;

/// <summary>
/// Completes every problem details body with the contract's fields: <c>ErrorId</c> (stable snake_case),
/// <c>ErrorDescription</c>, <c>ErrorDetail</c>, plus the trace id, the type URI and the request path.
/// </summary>
public static class ErrorBody
{
    public const string TypeBase = "https://controller.dev/errors/";

    public static void Complete(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var http = context.HttpContext;
        var status = problem.Status ?? http.Response.StatusCode;
        problem.Status = status;

        var info = ErrorContext.Get(http);
        var errorId = problem.Extensions.TryGetValue("ErrorId", out var existing) && existing is string s
            ? s
            : info?.ErrorId ?? DefaultErrorId(status);
        var description = problem.Extensions.TryGetValue("ErrorDescription", out var d) && d is string ds
            ? ds
            : info?.Description ?? problem.Detail ?? DefaultDescription(status);

        problem.Extensions["ErrorId"] = errorId;
        problem.Extensions["ErrorDescription"] = description;
        if (!problem.Extensions.ContainsKey("ErrorDetail"))
        {
            problem.Extensions["ErrorDetail"] = info?.Detail ?? new Dictionary<string, object?>();
        }

        problem.Detail ??= description;
        problem.Title ??= DefaultDescription(status);
        problem.Type = TypeBase + errorId.Replace('_', '-');
        problem.Instance ??= http.Request.Path;
        problem.Extensions["traceId"] = Activity.Current?.Id ?? http.TraceIdentifier;
        problem.Extensions.Remove("errors");
        http.RequestServices?.GetService<Application.Common.Telemetry.ControllerMetrics>()?.Rejected(status, errorId);
    }

    public static string DefaultErrorId(int status) => status switch
    {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        406 => "not_acceptable",
        408 => "request_timeout",
        409 => "conflict",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        429 => "too_many_requests",
        431 => "request_headers_too_large",
        503 => "service_unavailable",
        _ when status >= 500 => "internal_error",
        _ => "error",
    };

    public static string DefaultDescription(int status) => status switch
    {
        400 => "The request is not in an appropriate format or misses information.",
        401 => "The request is not authenticated.",
        403 => "This token may not do this.",
        404 => "No such resource or route.",
        405 => "This method is not allowed on this route.",
        408 => "The client took too long to send its request; it may repeat it.",
        409 => "The request conflicts with the current state.",
        413 => "The request body is too large.",
        415 => "The request body must be JSON (Content-Type: application/json).",
        429 => "Too many requests; retry after the number of seconds in Retry-After.",
        _ when status >= 500 => "An unexpected error occurred; it has been logged with the trace id.",
        _ => ReasonPhrases(status),
    };

    private static string ReasonPhrases(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);

    public static ProblemDetails Create(int status, string errorId, string description, object? detail) => new()
    {
        Status = status,
        Title = DefaultDescription(status),
        Detail = description,
        Extensions =
        {
            ["ErrorId"] = errorId,
            ["ErrorDescription"] = description,
            ["ErrorDetail"] = detail ?? new Dictionary<string, object?>(),
        },
    };
}
