namespace Controller.Application.Common.Interfaces;

/// <summary>
/// Deletes what the live cluster no longer needs, one set-based batch at a time (each call its own transaction, at most
/// <c>batch</c> rows of the table it is named after, oldest first). Nothing a live host, engine, instance or task still
/// refers to is deleted.
/// </summary>
public interface IRetentionStore
{
    /// <summary>Succeeded, failed and cancelled tasks that finished before <paramref name="before"/>.</summary>
    Task<int> DeleteFinishedTasksAsync(DateTimeOffset before, int batch, CancellationToken cancellationToken);

    /// <summary>Events that happened before <paramref name="before"/>, or that fall out of the newest <paramref name="keep"/>.</summary>
    Task<int> DeleteEventsAsync(DateTimeOffset before, int keep, int batch, CancellationToken cancellationToken);

    /// <summary>Instances that ended before <paramref name="before"/> and hold no task, with their tokens.</summary>
    Task<int> DeleteEndedInstancesAsync(DateTimeOffset before, int batch, CancellationToken cancellationToken);

    /// <summary>Terminated and lost hosts that ended before <paramref name="before"/> and have no instance left, with their last report and tokens.</summary>
    Task<int> DeleteGoneHostsAsync(DateTimeOffset before, int batch, CancellationToken cancellationToken);

    /// <summary>Tokens revoked or expired before <paramref name="before"/>.</summary>
    Task<int> DeleteDeadTokensAsync(DateTimeOffset before, int batch, CancellationToken cancellationToken);

    /// <summary>Audit entries recorded before <paramref name="before"/>.</summary>
    Task<int> DeleteAuditAsync(DateTimeOffset before, int batch, CancellationToken cancellationToken);

    /// <summary>Engines deleted before <paramref name="before"/> that no instance or task names any more.</summary>
    Task<int> DeleteDeletedEnginesAsync(DateTimeOffset before, int batch, CancellationToken cancellationToken);
}
