namespace Controller.Domain.Common;

/// <summary>
/// A domain rule was broken (an illegal state transition, an invariant). Carries a stable
/// snake_case error id that clients switch on, and the ids relevant to the failure.
/// </summary>
public sealed class DomainException : Exception
{
    public DomainException(string errorId, string message, IReadOnlyDictionary<string, object?>? detail = null)
        : base(message)
    {
        ErrorId = errorId;
        Detail = detail ?? new Dictionary<string, object?>();
    }

    public string ErrorId { get; }

    public IReadOnlyDictionary<string, object?> Detail { get; }
}
