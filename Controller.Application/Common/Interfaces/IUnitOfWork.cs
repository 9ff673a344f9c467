namespace Controller.Application.Common.Interfaces;

/// <summary>Commits everything the repositories of one request tracked, as one transaction.</summary>
public interface IUnitOfWork
{
    /// <exception cref="Exceptions.ConcurrencyConflictException">Another writer changed a row this request read.</exception>
    /// <exception cref="Exceptions.UniqueConstraintViolationException">A unique key refused the write.</exception>
    Task SaveChangesAsync(CancellationToken cancellationToken);

    /// <summary>Forget everything tracked (after a failed save, before retrying from fresh reads).</summary>
    void Reset();
}
