namespace Controller.Application.Common.Exceptions;

/// <summary>Base of the failures a use case reports; each maps to one HTTP status and a stable error id.</summary>
public abstract class ApplicationProblemException : Exception
{
    protected ApplicationProblemException(string errorId, string message, IReadOnlyDictionary<string, object?>? detail)
        : base(message)
    {
        ErrorId = errorId;
        Detail = detail ?? new Dictionary<string, object?>();
    }

    public string ErrorId { get; }

    public IReadOnlyDictionary<string, object?> Detail { get; }
}

/// <summary>The addressed resource does not exist (404).</summary>
public sealed class NotFoundException(string errorId, string message, IReadOnlyDictionary<string, object?>? detail = null)
    : ApplicationProblemException(errorId, message, detail);

/// <summary>The caller is authenticated but may not act on this resource (403).</summary>
public sealed class ForbiddenException(string message, IReadOnlyDictionary<string, object?>? detail = null)
    : ApplicationProblemException("forbidden", message, detail);

/// <summary>The request conflicts with the current state (409).</summary>
public sealed class ConflictException(string errorId, string message, IReadOnlyDictionary<string, object?>? detail = null)
    : ApplicationProblemException(errorId, message, detail);

/// <summary>The request is well-formed JSON but its values are not acceptable (400).</summary>
public sealed class RequestValidationException(IReadOnlyDictionary<string, string[]> errors)
    : ApplicationProblemException("validation_failed", "One or more fields are invalid.",
        new Dictionary<string, object?> { ["errors"] = errors })
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
}

/// <summary>A write lost a race (unique key or optimistic concurrency) and should be retried or reported as a conflict.</summary>
public sealed class ConcurrencyConflictException(string message, Exception inner) : Exception(message, inner);

/// <summary>A unique constraint refused a write.</summary>
public sealed class UniqueConstraintViolationException(string message, Exception inner) : Exception(message, inner);
