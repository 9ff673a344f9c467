namespace Controller.Domain.Work;

/// <summary>
/// queued (waiting for an instance) → leased (held by one instance until its lease expires) → succeeded, or back to
/// queued when the lease expires or the instance reports a failure with attempts left; failed after its last attempt
/// (the dead letter, with its last error); cancelled by a client or an admin.
/// </summary>
public enum WorkTaskState
{
    Queued,
    Leased,
    Succeeded,
    Failed,
    Cancelled,
}

/// <summary>What an engine instance reports about a task it held.</summary>
public enum TaskOutcome
{
    Succeeded,
    Failed,
}
