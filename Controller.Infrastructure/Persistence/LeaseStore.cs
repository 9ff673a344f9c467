using Microsoft.EntityFrameworkCore;

namespace Controller.Infrastructure.Persistence;

/// <summary>
/// A named lease in the database: held by one replica until it expires, renewed by its holder, taken over by
/// another replica once expired. Races are settled by the row's version (a lost race is simply "not acquired"). Its
/// writes go through the write gate like every other (on SQLite a write outside it that meets another in the file lock
/// makes one of them sleep in the driver's busy loop).
/// </summary>
public sealed class LeaseStore(ControllerDbContext db, IDatabaseWriteGate gate, TimeProvider clock)
{
    public async Task<bool> TryAcquireAsync(string name, string holder, TimeSpan duration, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        db.ChangeTracker.Clear();
        var lease = await db.Leases.FirstOrDefaultAsync(l => l.Name == name, cancellationToken);
        if (lease is null)
        {
            db.Leases.Add(new Lease { Name = name, Holder = holder, ExpiresAt = now + duration, Version = 1 });
        }
        else if (lease.Holder == holder || lease.ExpiresAt <= now)
        {
            lease.Holder = holder;
            lease.ExpiresAt = now + duration;
            lease.Version++;
        }
        else
        {
            return false;
        }

        try
        {
            using (await gate.EnterAsync(cancellationToken))
            {
                await db.SaveChangesAsync(cancellationToken);
            }

            return true;
        }
        catch (DbUpdateException)
        {
            // Another replica inserted or renewed it first.
            return false;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    public async Task ReleaseAsync(string name, string holder, CancellationToken cancellationToken)
    {
        using var _ = await gate.EnterAsync(cancellationToken);
        await db.Leases.Where(l => l.Name == name && l.Holder == holder)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAt, clock.GetUtcNow()).SetProperty(l => l.Version, l => l.Version + 1), cancellationToken);
    }
}
