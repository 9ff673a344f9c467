using Controller.Domain.Common;
using Controller.Domain.Hosts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Controller.Infrastructure.Persistence.Configurations;

internal sealed class HostConfiguration : IEntityTypeConfiguration<Host>
{
    /// <summary>Machine id of a host that is not terminated; null otherwise. Unique, so two live hosts never share a machine.</summary>
    public const string LiveMachineId = "LiveMachineId";

    /// <summary>A digest of the report and answer stored in the host's <see cref="HostStatusRecord"/>: a round writes that row only when the digest changes.</summary>
    public const string StatusDigest = "StatusDigest";

    public void Configure(EntityTypeBuilder<Host> builder)
    {
        builder.ToTable("Hosts");
        builder.HasKey(h => h.Id);
        builder.Property(h => h.Id).ValueGeneratedNever();
        builder.Property(h => h.Version).IsConcurrencyToken();
        builder.Property(h => h.MachineId).HasMaxLength(Limits.MachineIdMaxLength).IsRequired();
        builder.Property<string?>(LiveMachineId).HasMaxLength(Limits.MachineIdMaxLength);
        builder.HasIndex(LiveMachineId).IsUnique();
        builder.Property<string?>(StatusDigest).HasMaxLength(64);
        builder.Property(h => h.Hostname).HasMaxLength(Limits.HostnameMaxLength).IsRequired();
        builder.Property(h => h.AgentVersion).HasMaxLength(Limits.AgentVersionMaxLength);
        builder.Property(h => h.State).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(h => h.State);
        builder.Property(h => h.Capacity).HasConversion<ResourcesConverter>().HasMaxLength(ResourcesConverter.MaxLength);
        builder.Property(h => h.Available).HasConversion<ResourcesConverter>().HasMaxLength(ResourcesConverter.MaxLength);
        builder.Ignore(h => h.IpAddresses);
        builder.Ignore(h => h.Labels);
        builder.Ignore(h => h.Gpus);
        builder.Property<List<string>>("_ipAddresses").HasColumnName("IpAddresses").HasJsonConversion(JsonValue.ListComparer<string>()).IsRequired();
        builder.Property<Dictionary<string, string>>("_labels").HasColumnName("Labels").HasJsonConversion(JsonValue.DictionaryComparer()).IsRequired();
        builder.Property<List<GpuDevice>>("_gpus").HasColumnName("Gpus").HasJsonConversion(JsonValue.ListComparer<GpuDevice>()).IsRequired();
    }
}

internal sealed class HostStatusRecordConfiguration : IEntityTypeConfiguration<HostStatusRecord>
{
    public void Configure(EntityTypeBuilder<HostStatusRecord> builder)
    {
        builder.ToTable("HostStatus");
        builder.HasKey(s => s.HostId);
        builder.Property(s => s.HostId).ValueGeneratedNever();
        builder.HasOne<Host>().WithOne().HasForeignKey<HostStatusRecord>(s => s.HostId).OnDelete(DeleteBehavior.Cascade);
    }
}
