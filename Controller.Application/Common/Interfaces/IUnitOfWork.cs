namespace Controller.Application.Common.Interfaces;

/// <summary>Commits everything the repositories of one request tracked, as one transaction.</summary>
public interface IUnitOfWork
{
    /// <summary>
    /// Saves what was tracked, in one transaction. A save that would write nothing but when hosts were last heard from
    /// (a steady host's periodic round) writes nothing: the times go to the last-seen buffer, written within a second.
    /// </summary>
    /// <exception cref="Exceptions.ConcurrencyConflictException">Another writer changed a row this request read.</exception>
    /// <exception cref="Exceptions.UniqueConstraintViolationException">A unique key refused the write.</exception>
    Task SaveChangesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> in one database transaction and saves what it tracked at the end: rows the
    /// repositories lock inside it (a task claim) stay locked until it commits. Nothing is kept when it throws.
    /// </summary>
    /// <exception cref="Exceptions.ConcurrencyConflictException">Another writer changed a row this request read.</exception>
    Task<T> InTransactionAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken);

    /// <summary>Forget everything tracked (after a failed save, before retrying from fresh reads).</summary>
    void Reset();
}
