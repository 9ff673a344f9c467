using Controller.Domain.Common;
using Controller.Domain.Engines;
using Controller.Domain.Work;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Controller.Infrastructure.Persistence.Configurations;

internal sealed class TaskConfiguration : IEntityTypeConfiguration<WorkTask>
{
    public const string Table = "Tasks";

    public void Configure(EntityTypeBuilder<WorkTask> builder)
    {
        builder.ToTable(Table);
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Id).ValueGeneratedNever();
        builder.Property(t => t.Version).IsConcurrencyToken();
        builder.Property(t => t.Payload).IsRequired();
        builder.Property(t => t.IdempotencyKey).HasMaxLength(Limits.IdempotencyKeyMaxLength);
        builder.Property(t => t.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(t => t.Error).HasMaxLength(Limits.TaskErrorMaxLength);
        builder.Ignore(t => t.IsFinished);
        builder.HasOne<Engine>().WithMany().HasForeignKey(t => t.EngineId).OnDelete(DeleteBehavior.Restrict);

        // The claim: an engine's queued tasks, highest priority first, oldest first within it; also the backlog counts.
        builder.HasIndex(t => new { t.EngineId, t.State, t.Priority, t.CreatedAt, t.Id }).IsDescending(false, false, true, false, false);

        // The oldest queued task of an engine (backlog age): only queued tasks are in it, so a task enters it once, when
        // submitted, and a claim does not add to it. The filter is written so that all three providers read it alike.
        builder.HasIndex(t => new { t.EngineId, t.CreatedAt }, "IX_Tasks_Queued_EngineId_CreatedAt").HasFilter("\"State\" = 'Queued'");

        // Listing, newest first, by engine and state (keyset paging on the id).
        builder.HasIndex(t => new { t.EngineId, t.State, t.Id });
        builder.HasIndex(t => new { t.EngineId, t.Id });
        builder.HasIndex(t => new { t.State, t.Id });

        // What an instance holds (heartbeat, getwork), leases to expire, retention.
        builder.HasIndex(t => new { t.InstanceId, t.State });
        builder.HasIndex(t => new { t.State, t.LeaseExpiresAt });
        builder.HasIndex(t => t.FinishedAt);
        builder.HasIndex(t => new { t.EngineId, t.IdempotencyKey }).IsUnique();
    }
}
