namespace Controller.Domain.Work;

/// <summary>What a client submits: the payload (JSON text) for one engine, its priority, attempts and lease duration.</summary>
public sealed record TaskSpec(
    Guid EngineId,
    string Payload,
    int Priority,
    int MaxAttempts,
    int TimeoutSeconds,
    string? IdempotencyKey)
{
    public const int DefaultMaxAttempts = 3;
    public const int DefaultTimeoutSeconds = 300;

    /// <summary>True when a repeat with the same idempotency key asks for the same task.</summary>
    public bool SameAs(WorkTask task) =>
        task.EngineId == EngineId && task.Priority == Priority && task.MaxAttempts == MaxAttempts
        && task.TimeoutSeconds == TimeoutSeconds && string.Equals(task.Payload, Payload, StringComparison.Ordinal);
}
