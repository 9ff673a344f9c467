using Controller.Application.Common.Exceptions;
using Controller.Domain.Common;
using Microsoft.AspNetCore.Diagnostics;

namespace Controller.Api.Errors;

/// <summary>
/// The one place where exceptions become HTTP answers. Expected failures are logged at Warning;
/// anything else is an internal error, logged at Error with the trace id, and the client gets the
/// same body shape without the exception's message.
/// </summary>
public sealed class ApiExceptionHandler(IProblemDetailsService problemDetails, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, errorId, description, detail) = Map(exception);
        if (status >= 500)
        {
            logger.LogError(exception, "Unhandled error on {Method} {Path} (trace {TraceId})", httpContext.Request.Method, httpContext.Request.Path, httpContext.TraceIdentifier);
        }
        else
        {
            logger.LogWarning("{Method} {Path} refused with {Status} {ErrorId}: {Description}", httpContext.Request.Method, httpContext.Request.Path, status, errorId, description);
        }

        if (httpContext.Response.HasStarted)
        {
            return false;
        }

        httpContext.Response.Clear();
        httpContext.Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized)
        {
            httpContext.Response.Headers.WWWAuthenticate = "Bearer";
        }

        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = ErrorBody.Create(status, errorId, description, detail),
        });
    }

    public static (int Status, string ErrorId, string Description, object? Detail) Map(Exception exception) => exception switch
    {
        RequestValidationException v => (400, v.ErrorId, v.Message, v.Detail),
        NotFoundException n => (404, n.ErrorId, n.Message, n.Detail),
        ForbiddenException f => (403, f.ErrorId, f.Message, f.Detail),
        ConflictException c => (409, c.ErrorId, c.Message, c.Detail),
        DomainException d when d.ErrorId == "invalid_value" => (400, "validation_failed", d.Message, d.Detail),
        DomainException d => (409, d.ErrorId, d.Message, d.Detail),
        ConcurrencyConflictException => (409, "concurrent_update", "Another request changed the same resource at the same time; repeat the request.", null),
        UniqueConstraintViolationException => (409, "conflict", "The resource already exists.", null),
        System.Text.DecoderFallbackException => (400, "malformed_request", "The request body is not valid UTF-8 JSON.", null),
        BadHttpRequestException b => (b.StatusCode, ErrorBody.DefaultErrorId(b.StatusCode), ErrorBody.DefaultDescription(b.StatusCode), null),
        OperationCanceledException => (408, "request_timeout", "The request was cancelled before it completed; it may be repeated.", null),
        _ => (500, "internal_error", ErrorBody.DefaultDescription(500), null),
    };
}
