using System.Text.Json;
using Controller.Application.Common.Models;
using Controller.Domain.Common;
using Controller.Domain.Work;
using FluentValidation;

namespace Controller.Application.Work.Models;

/// <summary>One task as a client submits it (alone or in a batch).</summary>
public sealed record TaskSubmission(
    Guid? EngineId,
    JsonElement? Payload,
    int? Priority,
    int? MaxAttempts,
    int? TimeoutSeconds,
    string? IdempotencyKey)
{
    public TaskSpec ToSpec() => new(
        EngineId!.Value, JsonText.Compact(Payload!.Value), Priority ?? 0, MaxAttempts ?? TaskSpec.DefaultMaxAttempts,
        TimeoutSeconds ?? TaskSpec.DefaultTimeoutSeconds, IdempotencyKey);
}

public sealed class TaskSubmissionValidator : AbstractValidator<TaskSubmission>
{
    public TaskSubmissionValidator()
    {
        RuleFor(t => t.EngineId).NotNull().NotEqual(Guid.Empty);
        RuleFor(t => t.Payload).NotNull();
        RuleFor(t => t.Payload)
            .Must(p => JsonText.Compact(p!.Value).Length <= Limits.MaxTaskPayloadChars)
            .When(t => t.Payload is not null)
            .WithMessage($"'payload' must be at most {Limits.MaxTaskPayloadChars} characters of JSON.");
        RuleFor(t => t.Priority).InclusiveBetween(-Limits.MaxPriority, Limits.MaxPriority);
        RuleFor(t => t.MaxAttempts).InclusiveBetween(1, Limits.MaxTaskAttempts);
        RuleFor(t => t.TimeoutSeconds).InclusiveBetween(1, Limits.MaxTaskTimeoutSeconds);
        RuleFor(t => t.IdempotencyKey).NotEmpty().MaximumLength(Limits.IdempotencyKeyMaxLength).When(t => t.IdempotencyKey is not null);
    }
}

/// <summary>A task as the controller answers it.</summary>
public sealed record TaskDto(
    Guid TaskId,
    Guid EngineId,
    WorkTaskState State,
    JsonElement Payload,
    int Priority,
    int Attempts,
    int MaxAttempts,
    int TimeoutSeconds,
    string? IdempotencyKey,
    Guid? EngineInstanceId,
    DateTimeOffset? LeaseExpiresAt,
    JsonElement? Result,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? FinishedAt)
{
    public static TaskDto From(WorkTask task) => new(
        task.Id, task.EngineId, task.State, JsonText.Parse(task.Payload)!.Value, task.Priority, task.Attempts, task.MaxAttempts,
        task.TimeoutSeconds, task.IdempotencyKey, task.InstanceId, task.LeaseExpiresAt,
        JsonText.Parse(task.Result), task.Error, task.CreatedAt, task.UpdatedAt, task.FinishedAt);
}

/// <summary>A submission's answer: the task, and whether it was created now (false: an idempotent repeat).</summary>
public sealed record SubmittedTask(TaskDto Task, bool Created);

/// <summary>A page of tasks and the cursor of the next one (null on the last page).</summary>
public sealed record TaskPage(IReadOnlyList<TaskDto> Items, string? NextCursor);

/// <summary>A task handed to an instance.</summary>
public sealed record WorkItemDto(Guid TaskId, JsonElement Payload, int Attempt, DateTimeOffset LeaseExpiresAt);

/// <summary>
/// The getwork answer. <see cref="EngineId"/> and <see cref="HostId"/>: the calling copy's engine and host (a long poll
/// waits for the engine's tasks and is woken when the host stops taking work; not sent).
/// </summary>
public sealed record GetWorkAnswer(WorkAction Action, IReadOnlyList<WorkItemDto> Items, int? WaitSeconds, IReadOnlyList<Guid> CancelledTaskIds)
{
    public Guid? EngineId { get; init; }

    public Guid? HostId { get; init; }
}
