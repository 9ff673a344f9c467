using Controller.Domain.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Controller.Infrastructure.Persistence.Configurations;

internal sealed class ClusterEventConfiguration : IEntityTypeConfiguration<ClusterEvent>
{
    public const string Table = "Events";

    public void Configure(EntityTypeBuilder<ClusterEvent> builder)
    {
        builder.ToTable(Table);
        builder.HasKey(e => e.Sequence);
        builder.Property(e => e.Sequence).ValueGeneratedOnAdd();
        builder.Property(e => e.Type).HasMaxLength(ClusterEvent.TypeMaxLength).IsRequired();
        builder.Property(e => e.Message).HasMaxLength(ClusterEvent.MessageMaxLength).IsRequired();
        builder.Property(e => e.Reason).HasMaxLength(ClusterEvent.ReasonMaxLength);

        // Followers read by sequence, optionally about one host, engine, instance or of one type; retention by age.
        builder.HasIndex(e => new { e.HostId, e.Sequence });
        builder.HasIndex(e => new { e.EngineId, e.Sequence });
        builder.HasIndex(e => new { e.InstanceId, e.Sequence });
        builder.HasIndex(e => new { e.Type, e.Sequence });
        builder.HasIndex(e => e.At);
    }
}
