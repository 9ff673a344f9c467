using Controller.Domain.Common;

namespace Controller.Domain.Work;

/// <summary>
/// One unit of work for an engine, pulled by its instances through getwork. A lease gives one instance the task for
/// <see cref="TimeoutSeconds"/> (extended by the instance's heartbeats); every lease is an attempt. A lease that
/// expires, an instance that ends while holding it, or a reported failure puts the task back in the queue until
/// <see cref="MaxAttempts"/> attempts are used; then it fails for good (the dead letter) with its last error.
/// An outcome counts only from the instance that holds an unexpired lease: a late one changes nothing.
/// </summary>
public sealed class WorkTask : Entity
{
    public const string ErrorLeaseExpired = "lease expired";
    public const string ErrorInstanceEnded = "the engine instance holding it ended";
    public const string ErrorNotHeld = "the engine instance it was leased to did not have it";

    private WorkTask(Guid id)
        : base(id)
    {
        Payload = string.Empty;
    }

    public Guid EngineId { get; private set; }

    /// <summary>The payload as compact JSON text, handed to the engine as it was submitted.</summary>
    public string Payload { get; private set; }

    /// <summary>Higher first, as engine priorities; within a priority, oldest first.</summary>
    public int Priority { get; private set; }

    public int MaxAttempts { get; private set; }

    /// <summary>How long one lease lasts without a heartbeat from the instance holding it.</summary>
    public int TimeoutSeconds { get; private set; }

    public string? IdempotencyKey { get; private set; }

    public WorkTaskState State { get; private set; }

    /// <summary>Leases handed out so far.</summary>
    public int Attempts { get; private set; }

    /// <summary>The instance holding the lease, or the last one that held it.</summary>
    public Guid? InstanceId { get; private set; }

    public DateTimeOffset? LeasedAt { get; private set; }

    /// <summary>When the current (or last) lease ends; for a task cancelled while leased, until when its instance is told.</summary>
    public DateTimeOffset? LeaseExpiresAt { get; private set; }

    /// <summary>The result (JSON text) reported with success.</summary>
    public string? Result { get; private set; }

    /// <summary>The last error: reported by the instance, or why the lease ended.</summary>
    public string? Error { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>When it succeeded, failed for good or was cancelled (retention counts from here).</summary>
    public DateTimeOffset? FinishedAt { get; private set; }

    /// <summary>The token that submitted it (a client's tasks are its own: it sees and cancels only those).</summary>
    public Guid? SubmittedBy { get; private set; }

    public bool IsFinished => State is WorkTaskState.Succeeded or WorkTaskState.Failed or WorkTaskState.Cancelled;

    public static WorkTask Submit(Guid id, TaskSpec spec, DateTimeOffset now, Guid? submittedBy = null)
    {
        if (spec.MaxAttempts is < 1 or > Limits.MaxTaskAttempts)
        {
            throw Invalid("maxAttempts", $"'maxAttempts' must be between 1 and {Limits.MaxTaskAttempts}.");
        }

        if (spec.TimeoutSeconds is < 1 or > Limits.MaxTaskTimeoutSeconds)
        {
            throw Invalid("timeoutSeconds", $"'timeoutSeconds' must be between 1 and {Limits.MaxTaskTimeoutSeconds}.");
        }

        if (spec.Priority is < -Limits.MaxPriority or > Limits.MaxPriority)
        {
            throw Invalid("priority", $"'priority' must be between {-Limits.MaxPriority} and {Limits.MaxPriority}.");
        }

        if (spec.Payload.Length is 0 or > Limits.MaxTaskPayloadChars)
        {
            throw Invalid("payload", $"'payload' must be a JSON value of at most {Limits.MaxTaskPayloadChars} characters.");
        }

        if (spec.IdempotencyKey is { } key && (string.IsNullOrWhiteSpace(key) || key.Length > Limits.IdempotencyKeyMaxLength))
        {
            throw Invalid("idempotencyKey", $"'idempotencyKey' must be non-blank and at most {Limits.IdempotencyKeyMaxLength} characters.");
        }

        return new WorkTask(id)
        {
            EngineId = spec.EngineId,
            Payload = spec.Payload,
            Priority = spec.Priority,
            MaxAttempts = spec.MaxAttempts,
            TimeoutSeconds = spec.TimeoutSeconds,
            IdempotencyKey = spec.IdempotencyKey,
            State = WorkTaskState.Queued,
            CreatedAt = now,
            UpdatedAt = now,
            SubmittedBy = submittedBy,
        };
    }

    /// <summary>Whether a caller limited to its own submissions (<paramref name="onlySubmittedBy"/>; null: every task) may see it.</summary>
    public bool IsVisibleTo(Guid? onlySubmittedBy) => onlySubmittedBy is not { } submitter || SubmittedBy == submitter;

    /// <summary>Hand the task to <paramref name="instanceId"/>: a new attempt, leased until now + timeout.</summary>
    public void Lease(Guid instanceId, DateTimeOffset now)
    {
        if (State != WorkTaskState.Queued)
        {
            throw Conflict("task_not_queued", $"Task {Id} is {Name(State)}, not queued.");
        }

        Attempts++;
        State = WorkTaskState.Leased;
        InstanceId = instanceId;
        LeasedAt = now;
        LeaseExpiresAt = now.AddSeconds(TimeoutSeconds);
        UpdatedAt = now;
    }

    /// <summary>True while <paramref name="instanceId"/> holds an unexpired lease.</summary>
    public bool IsHeldBy(Guid instanceId, DateTimeOffset now) =>
        State == WorkTaskState.Leased && InstanceId == instanceId && LeaseExpiresAt > now;

    /// <summary>The holder is alive: its lease runs for another timeout from now. False when it no longer holds the task.</summary>
    public bool ExtendLease(Guid instanceId, DateTimeOffset now)
    {
        if (!IsHeldBy(instanceId, now))
        {
            return false;
        }

        LeaseExpiresAt = now.AddSeconds(TimeoutSeconds);
        UpdatedAt = now;
        return true;
    }

    /// <summary>
    /// Why an outcome from <paramref name="instanceId"/> would be refused, or null when it is accepted. A repeat of the
    /// outcome that finished the task (its answer was lost) is accepted and changes nothing.
    /// </summary>
    public string? RefusalOf(Guid instanceId, TaskOutcome outcome, DateTimeOffset now)
    {
        if (IsHeldBy(instanceId, now) || IsRepeat(instanceId, outcome))
        {
            return null;
        }

        return State switch
        {
            WorkTaskState.Cancelled => "task_cancelled",
            WorkTaskState.Leased when InstanceId == instanceId => "lease_expired",
            _ => "lease_not_held",
        };
    }

    /// <summary>
    /// The holder reports the outcome. Success finishes the task; a failure puts it back in the queue while attempts
    /// remain, else fails it for good. Returns false for the repeat of an outcome already applied.
    /// </summary>
    public bool Complete(Guid instanceId, TaskOutcome outcome, string? result, string? error, DateTimeOffset now)
    {
        if (RefusalOf(instanceId, outcome, now) is { } refusal)
        {
            throw Conflict(refusal, refusal == "task_cancelled"
                ? $"Task {Id} was cancelled; its outcome is not kept."
                : $"Task {Id} is not leased to this instance any more (its lease expired or was handed to another instance); the outcome is not kept.");
        }

        if (!IsHeldBy(instanceId, now))
        {
            return false;
        }

        if (outcome == TaskOutcome.Succeeded)
        {
            Result = result;
            Error = null;
            Finish(WorkTaskState.Succeeded, now);
        }
        else
        {
            EndLease(error ?? "failed", now);
        }

        return true;
    }

    /// <summary>The lease ran out without a heartbeat: retry or dead letter. False when the lease is still valid.</summary>
    public bool ExpireLease(DateTimeOffset now)
    {
        if (State != WorkTaskState.Leased || LeaseExpiresAt > now)
        {
            return false;
        }

        EndLease(ErrorLeaseExpired, now);
        return true;
    }

    /// <summary>The instance holding the task ended (failed, lost, stopped): the attempt is over now rather than at lease expiry.</summary>
    public bool Abandon(DateTimeOffset now)
    {
        if (State != WorkTaskState.Leased)
        {
            return false;
        }

        EndLease(ErrorInstanceEnded, now);
        return true;
    }

    /// <summary>
    /// The instance it is leased to says it does not have it (the answer that handed it over was lost, or it dropped
    /// it): the attempt ends now, as if the lease had expired, instead of being extended by that instance for ever.
    /// </summary>
    public bool Release(Guid instanceId, DateTimeOffset now)
    {
        if (!IsHeldBy(instanceId, now))
        {
            return false;
        }

        EndLease(ErrorNotHeld, now);
        return true;
    }

    /// <summary>
    /// Cancel: a queued task at once; a leased one too, and its instance is told until its lease would have ended.
    /// Cancelling a cancelled task changes nothing (false); a finished one is a conflict.
    /// </summary>
    public bool Cancel(DateTimeOffset now)
    {
        if (State == WorkTaskState.Cancelled)
        {
            return false;
        }

        if (State is WorkTaskState.Succeeded or WorkTaskState.Failed)
        {
            throw Conflict("task_state_conflict", $"Task {Id} already {Name(State)}; only a queued or leased task can be cancelled.");
        }

        Finish(WorkTaskState.Cancelled, now);
        return true;
    }

    /// <summary>True when <paramref name="instanceId"/> held this task when it was cancelled and should still be told.</summary>
    public bool IsCancellationNoticeFor(Guid instanceId, DateTimeOffset now) =>
        State == WorkTaskState.Cancelled && InstanceId == instanceId && LeaseExpiresAt > now;

    private bool IsRepeat(Guid instanceId, TaskOutcome outcome) =>
        InstanceId == instanceId
        && ((outcome == TaskOutcome.Succeeded && State == WorkTaskState.Succeeded)
            || (outcome == TaskOutcome.Failed && State == WorkTaskState.Failed && Attempts >= MaxAttempts));

    /// <summary>
    /// Where a task goes when an attempt ends without an outcome (its lease expired, its instance ended): back to the
    /// queue, or to the dead letter (failed) once every attempt is used. The sweep applies it to many tasks at once.
    /// </summary>
    public static WorkTaskState AfterAbandonedAttempt(int attempts, int maxAttempts) =>
        attempts >= maxAttempts ? WorkTaskState.Failed : WorkTaskState.Queued;

    private void EndLease(string error, DateTimeOffset now)
    {
        Error = Truncate(error);
        if (AfterAbandonedAttempt(Attempts, MaxAttempts) == WorkTaskState.Failed)
        {
            Finish(WorkTaskState.Failed, now);
            return;
        }

        State = WorkTaskState.Queued;
        LeaseExpiresAt = null;
        UpdatedAt = now;
    }

    private void Finish(WorkTaskState state, DateTimeOffset now)
    {
        if (state == WorkTaskState.Cancelled && State != WorkTaskState.Leased)
        {
            // Nobody holds it: nobody is to be told. (A leased task keeps its lease end: its holder is told until then.)
            LeaseExpiresAt = null;
        }

        State = state;
        FinishedAt = now;
        UpdatedAt = now;
    }

    private static string Truncate(string error) =>
        error.Length <= Limits.TaskErrorMaxLength ? error : error[..Limits.TaskErrorMaxLength];

    private static string Name(WorkTaskState state) => state.ToString().ToLowerInvariant();

    private static DomainException Invalid(string field, string message) =>
        new("invalid_value", message, new Dictionary<string, object?> { ["field"] = field });

    private DomainException Conflict(string errorId, string message) =>
        new(errorId, message, new Dictionary<string, object?> { ["taskId"] = Id, ["state"] = Name(State) });
}
