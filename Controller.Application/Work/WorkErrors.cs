using Controller.Application.Common.Exceptions;

namespace Controller.Application.Work;

internal static class WorkErrors
{
    public static NotFoundException TaskNotFound(Guid taskId) =>
        new("task_not_found", $"No task with id {taskId}.", new Dictionary<string, object?> { ["taskId"] = taskId });

    public static NotFoundException EngineNotFound(Guid engineId) =>
        new("engine_not_found", $"No engine with id {engineId}.", new Dictionary<string, object?> { ["engineId"] = engineId });

    public static ConflictException EngineNotActive(Guid engineId) =>
        new("engine_state_conflict", $"Engine {engineId} is being deleted: it takes no new tasks.", new Dictionary<string, object?> { ["engineId"] = engineId });

    public static ConflictException IdempotencyKeyReused(string key, Guid taskId) =>
        new("idempotency_key_reused", $"The idempotency key '{key}' was used for a different task; use a new key for new work.",
            new Dictionary<string, object?> { ["idempotencyKey"] = key, ["taskId"] = taskId });

    public static ConflictException IdempotencyKeyTaken(string key) =>
        new("idempotency_key_reused", $"The idempotency key '{key}' was used by another client for its own task; use a new key.",
            new Dictionary<string, object?> { ["idempotencyKey"] = key });

    public static ConflictException OutcomesRefused(IReadOnlyList<RefusedOutcome> refused) =>
        new("outcome_refused", $"{refused.Count} reported outcome(s) were refused (a lease expired, the task was cancelled or handed to another instance); nothing was changed. Drop them and ask again.",
            new Dictionary<string, object?> { ["refused"] = refused });
}

/// <summary>An outcome getwork would not take, and why (<c>lease_expired</c>, <c>lease_not_held</c>, <c>task_cancelled</c>, <c>task_not_found</c>).</summary>
public sealed record RefusedOutcome(Guid TaskId, string Reason);
