namespace Controller.Application.Common.Interfaces;

/// <summary>Commits everything the repositories of one request tracked, as one transaction.</summary>
public interface IUnitOfWork
{
    /// <exception cref="Exceptions.ConcurrencyConflictException">Another writer changed a row this request read.</exception>
    /// <exception cref="Exceptions.UniqueConstraintViolationException">A unique key refused the write.</exception>
    Task SaveChangesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> in one database transaction and saves what it tracked at the end: rows the
    /// repositories lock inside it (a task claim) stay locked until it commits. Nothing is kept when it throws.
    /// </summary>
    /// <exception cref="Exceptions.ConcurrencyConflictException">Another writer changed a row this request read.</exception>
    Task<T> InTransactionAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken);

    /// <summary>
    /// Keeps the database connection open until the scope ends or <see cref="ReleaseConnection"/>: the reads and the
    /// save that follow pay for one open. Release it before waiting for anything that may take long (a gate, a batch):
    /// a pooled connection held by a waiter is one the others may need.
    /// </summary>
    Task KeepConnectionOpenAsync(CancellationToken cancellationToken);

    /// <summary>Gives back a connection kept open (nothing tracked is lost; the next read opens one again).</summary>
    void ReleaseConnection();

    /// <summary>
    /// True when saving now would write nothing but hosts' last-seen and last-status times: no other column, no other row,
    /// no event. A status round that changed nothing else hands the time to the last-seen buffer instead of writing.
    /// </summary>
    bool OnlyHostsSeen();

    /// <summary>Forget everything tracked and give back a connection kept open (after a failed save, before retrying from fresh reads, before handing a round to a batch).</summary>
    void Reset();
}
