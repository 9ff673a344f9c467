using Controller.Domain.Common;
using Controller.Domain.Engines;
using Controller.Domain.Work;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Controller.Infrastructure.Persistence.Configurations;

internal sealed class TaskConfiguration : IEntityTypeConfiguration<WorkTask>
{
    public const string Table = "Tasks";

    // The filter of the two queued-only indexes; a query that is to use them says State == Queued.
    private const string QueuedOnly = "\"State\" = 'Queued'";

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

        // Most of these hold only the tasks in the states their readers look for (filters written so that all three
        // providers read them alike). A task changes state several times, and on PostgreSQL each such update adds an
        // entry to every index that takes the new row: a partial index that does not take it costs nothing.

        // The claim: an engine's queued tasks, highest priority first, oldest first within it.
        builder.HasIndex(t => new { t.EngineId, t.Priority, t.CreatedAt, t.Id }, "IX_Tasks_Claim")
            .IsDescending(false, true, false, false)
            .HasFilter(QueuedOnly);

        // The oldest queued task of an engine (backlog age).
        builder.HasIndex(t => new { t.EngineId, t.CreatedAt }, "IX_Tasks_Queued_EngineId_CreatedAt").HasFilter(QueuedOnly);

        // Listing, newest first, by engine and state (keyset paging on the id); the backlog's leased count.
        builder.HasIndex(t => new { t.EngineId, t.State, t.Id });
        builder.HasIndex(t => new { t.EngineId, t.Id });
        builder.HasIndex(t => new { t.State, t.Id });
        // A client's own tasks, newest first.
        builder.HasIndex(t => new { t.SubmittedBy, t.Id });

        // What an instance holds (heartbeat, getwork): only leased tasks and cancelled ones (told to their instance).
        builder.HasIndex(t => new { t.InstanceId, t.State }, "IX_Tasks_Held").HasFilter("\"State\" IN ('Leased', 'Cancelled')");

        // Leases to expire; finished tasks past their retention.
        builder.HasIndex(t => new { t.State, t.LeaseExpiresAt }, "IX_Tasks_Leased_LeaseExpiresAt").HasFilter("\"State\" = 'Leased'");
        builder.HasIndex(t => t.FinishedAt).HasFilter("\"FinishedAt\" IS NOT NULL");
        builder.HasIndex(t => new { t.EngineId, t.IdempotencyKey }).IsUnique().HasFilter("\"IdempotencyKey\" IS NOT NULL");
    }
}
