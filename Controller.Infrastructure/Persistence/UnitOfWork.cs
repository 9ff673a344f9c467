using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Application.Hosts.FastPath;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Controller.Infrastructure.Persistence;

internal sealed class UnitOfWork(ControllerDbContext db, IDatabaseWriteGate gate, IEventSignal events, IClusterChanges cluster, LastSeenBuffer lastSeen, IWorkSignal workSignal) : IUnitOfWork
{
    private bool _inTransaction;

    public async Task SaveChangesAsync(CancellationToken cancellationToken)
    {
        if (!_inTransaction && OnlyHostsSeen())
        {
            // Nothing changed but when hosts were heard from: no write transaction, the buffer's flush writes the times.
            foreach (var host in db.ChangeTracker.Entries<Domain.Hosts.Host>().Where(e => e.State == EntityState.Modified))
            {
                lastSeen.Record(host.Entity.Id, host.Entity.LastSeenAt);
            }

            db.ChangeTracker.AcceptAllChanges();
            return;
        }

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

        await AnnounceAsync();
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
            await AnnounceAsync();
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

    /// <summary>True when saving now would write nothing but hosts' last-seen and last-status times: no other column, no other row, no event.</summary>
    internal bool OnlyHostsSeen()
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
        db.ChangeTracker.Clear();
        db.WroteEvents = false;
        db.Saved.Clear();
    }

    /// <summary>
    /// After a commit: the after-commit hook learns what was saved, held getwork calls (on every replica) what concerns
    /// them, and event followers that events were written.
    /// </summary>
    private async Task AnnounceAsync()
    {
        if (db.Saved.Take() is { IsEmpty: false } changes)
        {
            cluster.Committed(changes);
            if (WorkWakeups.Of(changes) is { IsEmpty: false } wakeups)
            {
                await workSignal.SendAsync(wakeups, CancellationToken.None);
            }
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
