using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Microsoft.Data.Sqlite;
using Microsoft.Data.SqlClient;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Controller.Infrastructure.Persistence;

internal sealed class UnitOfWork(ControllerDbContext db, IDatabaseWriteGate gate) : IUnitOfWork
{
    public async Task SaveChangesAsync(CancellationToken cancellationToken)
    {
        using var _ = await gate.EnterAsync(cancellationToken);
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

    public void Reset() => db.ChangeTracker.Clear();

    private static bool IsUniqueViolation(Exception? ex) => ex switch
    {
        SqliteException s => s.SqliteErrorCode == 19 && s.SqliteExtendedErrorCode is 2067 or 1555,
        PostgresException p => p.SqlState == PostgresErrorCodes.UniqueViolation,
        SqlException s => s.Number is 2601 or 2627,
        _ => false,
    };
}
