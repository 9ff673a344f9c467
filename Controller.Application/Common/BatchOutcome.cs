namespace Controller.Application.Common;

/// <summary>
/// What a batch did with one of its calls: answered it, refused it with the contract's error, or (neither: the
/// <c>default</c>) left it for the next batch, as when its host or instance is in the batch twice.
/// </summary>
public readonly record struct BatchOutcome<TAnswer>(TAnswer? Answer, Exception? Error)
    where TAnswer : class
{
    public static implicit operator BatchOutcome<TAnswer>(TAnswer answer) => new(answer, null);
}

/// <summary>Outcomes a batch gives other than an answer.</summary>
public static class BatchOutcome
{
    /// <summary>Refused with this error (the contract's), having changed nothing of the call.</summary>
    public static BatchOutcome<TAnswer> Refused<TAnswer>(Exception error)
        where TAnswer : class => new(null, error);
}
