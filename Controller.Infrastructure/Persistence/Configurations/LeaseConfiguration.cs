using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Controller.Infrastructure.Persistence.Configurations;

internal sealed class LeaseConfiguration : IEntityTypeConfiguration<Lease>
{
    public void Configure(EntityTypeBuilder<Lease> builder)
    {
        builder.ToTable("Leases");
        builder.HasKey(l => l.Name);
        builder.Property(l => l.Name).HasMaxLength(64);
        builder.Property(l => l.Holder).HasMaxLength(200).IsRequired();
        builder.Property(l => l.Version).IsConcurrencyToken();
    }
}

internal sealed class ClusterSettingConfiguration : IEntityTypeConfiguration<ClusterSetting>
{
    public void Configure(EntityTypeBuilder<ClusterSetting> builder)
    {
        builder.ToTable("Settings");
        builder.HasKey(s => s.Name);
        builder.Property(s => s.Name).HasMaxLength(64);
        builder.Property(s => s.Value).HasMaxLength(1000).IsRequired();
    }
}
