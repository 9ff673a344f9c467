using Controller.Domain.Common;
using Controller.Domain.Hosts;
using Controller.Domain.Tokens;
using Microsoft.EntityFrameworkCore;

namespace Controller.Infrastructure.Persistence;

/// <summary>
/// The controller's database. One subclass per provider carries that provider's migrations;
/// the model itself is the same for all of them.
/// </summary>
public abstract class ControllerDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<Host> Hosts => Set<Host>();

    public DbSet<HostStatusRecord> HostStatus => Set<HostStatusRecord>();

    public DbSet<Token> Tokens => Set<Token>();

    public DbSet<Domain.Engines.Engine> Engines => Set<Domain.Engines.Engine>();

    public DbSet<Domain.EngineInstances.EngineInstance> EngineInstances => Set<Domain.EngineInstances.EngineInstance>();

    public DbSet<Domain.Engines.EngineRevision> EngineRevisions => Set<Domain.Engines.EngineRevision>();

    public DbSet<Domain.Work.WorkTask> Tasks => Set<Domain.Work.WorkTask>();

    public DbSet<Lease> Leases => Set<Lease>();

    public DbSet<ClusterSetting> Settings => Set<ClusterSetting>();

    public DbSet<Domain.Events.ClusterEvent> Events => Set<Domain.Events.ClusterEvent>();

    /// <summary>Set when a save stored cluster events; the unit of work wakes live followers and clears it.</summary>
    public bool WroteEvents { get; set; }

    /// <summary>Hosts, engines and instance state changes saved since the unit of work last announced them (after its commit).</summary>
    internal SavedChanges Saved { get; } = new();

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        // One change detection for everything below (each Entries() call would detect changes again).
        ChangeTracker.DetectChanges();
        var autoDetect = ChangeTracker.AutoDetectChangesEnabled;
        ChangeTracker.AutoDetectChangesEnabled = false;
        bool writesEvents;
        try
        {
            var raised = StampEntities();
            Saved.Collect(ChangeTracker);
            Events.AddRange(raised);
            writesEvents = raised.Count > 0 || ChangeTracker.Entries<Domain.Events.ClusterEvent>().Any(e => e.State == EntityState.Added);

            // Everything above changed tracked values through the change tracker itself: the save need not detect again.
            var written = writesEvents
                ? await SaveWithEventsAsync(acceptAllChangesOnSuccess, cancellationToken)
                : await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
            Saved.Keep();
            return written;
        }
        finally
        {
            ChangeTracker.AutoDetectChangesEnabled = autoDetect;
        }
    }

    /// <summary>
    /// What the persistence layer keeps on the rows before a save: versions moved, the live-name and live-machine keys
    /// set, every new host given its status row. Returns the events the aggregates raised (stored with them).
    /// </summary>
    private List<Domain.Events.ClusterEvent> StampEntities()
    {
        var raised = new List<Domain.Events.ClusterEvent>();
        foreach (var entry in ChangeTracker.Entries<Entity>())
        {
            if (entry.State == EntityState.Modified)
            {
                // The version is the persistence layer's business: the domain exposes no way to move it.
                entry.Property(e => e.Version).CurrentValue = entry.Entity.Version + 1;
            }

            // The events the aggregates raised are stored with them, in the same transaction.
            if (entry.State != EntityState.Deleted)
            {
                raised.AddRange(entry.Entity.TakeEvents());
            }
        }

        foreach (var entry in ChangeTracker.Entries<Host>().ToList())
        {
            if (entry.State is EntityState.Added or EntityState.Modified)
            {
                entry.Property(Configurations.HostConfiguration.LiveMachineId).CurrentValue = entry.Entity.IsLive ? entry.Entity.MachineId : null;
            }

            // Every host has its status row from the start, so a round only ever updates it.
            if (entry.State == EntityState.Added && !ChangeTracker.Entries<HostStatusRecord>().Any(r => r.Entity.HostId == entry.Entity.Id))
            {
                HostStatus.Add(new HostStatusRecord { HostId = entry.Entity.Id });
            }
        }

        foreach (var entry in ChangeTracker.Entries<Domain.Engines.Engine>())
        {
            if (entry.State is EntityState.Added or EntityState.Modified)
            {
                entry.Property(Configurations.EngineConfiguration.LiveName).CurrentValue =
                    entry.Entity.State == Domain.Engines.EngineState.Deleted ? null : entry.Entity.Name;
            }
        }

        return raised;
    }

    /// <summary>Events are inserted in a transaction whose event writers are serialised (<see cref="SerializeEventWritersAsync"/>): the caller's, or one of its own.</summary>
    private async Task<int> SaveWithEventsAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken)
    {
        WroteEvents = true;
        if (Database.CurrentTransaction is not null)
        {
            await SerializeEventWritersAsync(cancellationToken);
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }

        await using var transaction = await Database.BeginTransactionAsync(cancellationToken);
        await SerializeEventWritersAsync(cancellationToken);
        var written = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return written;
    }

    /// <summary>
    /// Called inside the transaction, before its events are inserted and so before they take their sequence numbers.
    /// Server databases take the event lock in shared mode, held to the end of the transaction: writers do not wait for
    /// each other, and <see cref="EventHorizonAsync"/> can wait for every writer in flight. SQLite has one writer.
    /// </summary>
    protected virtual Task SerializeEventWritersAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The highest event sequence a reader may return: every event numbered up to it has committed or never will, so a
    /// follower reading "after N" never passes an event that commits late with a smaller number. Null: no bound (SQLite,
    /// whose single writer commits in the order it numbers). Server databases read the highest visible number, then take
    /// and at once release the event lock in exclusive mode, which waits for the writers holding it in shared mode: any
    /// number below the one read was taken by one of them (numbers only grow), and each has now ended.
    /// </summary>
    public virtual async Task<long?> EventHorizonAsync(CancellationToken cancellationToken)
    {
        var highest = await Events.MaxAsync(e => (long?)e.Sequence, cancellationToken) ?? 0;
        await WaitForEventWritersAsync(cancellationToken);
        return highest;
    }

    /// <summary>Waits until no transaction holds the event lock (taken in exclusive mode and released at once).</summary>
    protected virtual Task WaitForEventWritersAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<Resources>().HaveConversion<ResourcesConverter>().HaveMaxLength(ResourcesConverter.MaxLength);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ControllerDbContext).Assembly);
    }
}
