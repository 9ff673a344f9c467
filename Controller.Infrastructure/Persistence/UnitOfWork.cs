using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Controller.Infrastructure.Persistence;

internal sealed class UnitOfWork(ControllerDbContext db, IDatabaseWriteGate gate, IEventSignal events, IClusterChanges cluster) : IUnitOfWork, IDisposable
{
    private bool _inTransaction;
    private bool _keptOpen;

    public async Task SaveChangesAsync(CancellationToken cancellationToken)
    {
        if (_inTransaction)
        {
            // The surrounding transaction already holds the write gate.
            await SaveAsync();
            return;
        }

        using (await gate.EnterAsync(cancellationToken))
        {
            await SaveAsync();
        }

        Announce();
    }

    public async Task<T> InTransactionAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        if (_inTransaction)
        {
            throw new InvalidOperationException("Transactions do not nest.");
        }

        // SQLite: the whole transaction runs under the write gate, so that its reads and writes are not interleaved with
        // another request's (one writer); server databases lock rows instead.
        using var _ = await gate.EnterAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        _inTransaction = true;
        try
        {
            var result = await work(cancellationToken);
            await SaveAsync();
            await transaction.CommitAsync(CancellationToken.None);
            Announce();
            return result;
        }
        catch (Exception ex) when (IsConcurrencyFailure(ex))
        {
            db.Saved.Clear();
            throw new ConcurrencyConflictException("Another transaction changed or locked the same rows.", ex);
        }
        catch
        {
            // Rolled back: nothing of it is announced.
            db.Saved.Clear();
            throw;
        }
        finally
        {
            _inTransaction = false;
        }
    }

    private async Task SaveAsync()
    {
        try
        {
            // A request that is cancelled after this point still commits: a half-applied round is worse than a late one.
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (DbUpdateConcurrencyException ex)
        {
            throw new ConcurrencyConflictException("Another writer changed the same rows.", ex);
        }
        catch (DbUpdateException ex) when (IsUniqueViolation(ex.InnerException))
        {
            throw new UniqueConstraintViolationException("A unique key refused the write.", ex);
        }
    }

    /// <summary>A deadlock or serialization failure between two transactions: the loser runs again.</summary>
    private static bool IsConcurrencyFailure(Exception ex) => ex switch
    {
        PostgresException p => p.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure,
        SqlException s => s.Number == 1205,
        DbUpdateException { InnerException: { } inner } => IsConcurrencyFailure(inner),
        _ => false,
    };

    public async Task KeepConnectionOpenAsync(CancellationToken cancellationToken)
    {
        if (!_keptOpen)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            _keptOpen = true;
        }
    }

    /// <summary>
    /// With the scope: a connection kept open goes back to the database pool here, not later with the pooled context.
    /// Without this, on PostgreSQL with write batches under load, every pooled connection ended up held by contexts
    /// that still counted theirs open while no request used one, and requests timed out waiting for the pool.
    /// </summary>
    public void Dispose() => ReleaseConnection();

    public void ReleaseConnection()
    {
        if (_keptOpen)
        {
            _keptOpen = false;
            db.Database.CloseConnection();
        }
    }

    public bool OnlyHostsSeen()
    {
        db.ChangeTracker.DetectChanges();
        var autoDetect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false; // detected once above, not again by Entries()
        try
        {
            return OnlySeenTimesModified();
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = autoDetect;
        }
    }

    private bool OnlySeenTimesModified()
    {
        foreach (var entry in db.ChangeTracker.Entries())
        {
            if (entry.Entity is Domain.Common.Entity { } entity && entity.PeekEvents().Count > 0)
            {
                return false;
            }

            var onlySeen = entry.State switch
            {
                EntityState.Unchanged or EntityState.Detached => true,
                EntityState.Modified when entry.Entity is Domain.Hosts.Host => entry.Properties.All(p => !p.IsModified || IsSeenTime(p.Metadata.Name)),
                _ => false,
            };
            if (!onlySeen)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsSeenTime(string property) => property is nameof(Domain.Hosts.Host.LastSeenAt) or nameof(Domain.Hosts.Host.LastStatusAt);

    public void Reset()
    {
        ReleaseConnection();
        db.ChangeTracker.Clear();
        db.WroteEvents = false;
        db.Saved.Clear();
    }

    /// <summary>After a commit: the after-commit hook learns what was saved, and event followers that events were written.</summary>
    private void Announce()
    {
        if (db.Saved.Take() is { IsEmpty: false } changes)
        {
            cluster.Committed(changes);
        }

        if (db.WroteEvents)
        {
            db.WroteEvents = false;
            events.Notify();
        }
    }

    private static bool IsUniqueViolation(Exception? ex) => ex switch
    {
        SqliteException s => s.SqliteErrorCode == 19 && s.SqliteExtendedErrorCode is 2067 or 1555,
        PostgresException p => p.SqlState == PostgresErrorCodes.UniqueViolation,
        SqlException s => s.Number is 2601 or 2627,
        _ => false,
    };
}
