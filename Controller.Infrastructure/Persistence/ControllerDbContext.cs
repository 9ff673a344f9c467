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

    public DbSet<Token> Tokens => Set<Token>();

    public DbSet<Domain.Engines.Engine> Engines => Set<Domain.Engines.Engine>();

    public DbSet<Domain.EngineInstances.EngineInstance> EngineInstances => Set<Domain.EngineInstances.EngineInstance>();

    public DbSet<Domain.Work.WorkTask> Tasks => Set<Domain.Work.WorkTask>();

    public DbSet<Lease> Leases => Set<Lease>();

    public DbSet<ClusterSetting> Settings => Set<ClusterSetting>();

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        foreach (var entry in ChangeTracker.Entries<Entity>())
        {
            if (entry.State == EntityState.Modified)
            {
                // The version is the persistence layer's business: the domain exposes no way to move it.
                entry.Property(e => e.Version).CurrentValue = entry.Entity.Version + 1;
            }
        }

        foreach (var entry in ChangeTracker.Entries<Host>())
        {
            if (entry.State is EntityState.Added or EntityState.Modified)
            {
                entry.Property(Configurations.HostConfiguration.LiveMachineId).CurrentValue =
                    entry.Entity.IsLive ? entry.Entity.MachineId : null;
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

        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<Resources>().HaveConversion<ResourcesConverter>().HaveMaxLength(ResourcesConverter.MaxLength);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ControllerDbContext).Assembly);
    }
}
