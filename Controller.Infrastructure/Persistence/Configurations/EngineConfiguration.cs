using Controller.Domain.Common;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Controller.Infrastructure.Persistence.Configurations;

internal sealed class EngineConfiguration : IEntityTypeConfiguration<Engine>
{
    /// <summary>Name of an engine that is not deleted; null otherwise. Unique.</summary>
    public const string LiveName = "LiveName";

    public void Configure(EntityTypeBuilder<Engine> builder)
    {
        builder.ToTable("Engines");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).ValueGeneratedNever();
        builder.Property(e => e.Version).IsConcurrencyToken();
        builder.Property(e => e.Name).HasMaxLength(Limits.NameMaxLength).IsRequired();
        builder.Property<string?>(LiveName).HasMaxLength(Limits.NameMaxLength);
        builder.HasIndex(LiveName).IsUnique();
        builder.Property(e => e.Image).HasMaxLength(Limits.ImageMaxLength).IsRequired();
        builder.Property(e => e.Resources).HasConversion<ResourcesConverter>().HasMaxLength(ResourcesConverter.MaxLength);
        builder.Property(e => e.State).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(e => e.State);
        builder.Ignore(e => e.HostLabels);
        builder.Ignore(e => e.Target);
        builder.Ignore(e => e.Deficit);
        builder.Ignore(e => e.Surplus);
        builder.Ignore(e => e.Scaling);
        builder.Property(e => e.ScalingMode).HasConversion<string>().HasMaxLength(16);
        builder.Property<Dictionary<string, string>>("_hostLabels").HasColumnName("HostLabels").HasJsonConversion(JsonValue.DictionaryComparer()).IsRequired();
        RuntimeColumns.Configure(builder);
        builder.Ignore(e => e.Runtime);
        builder.Property(e => e.UpdatePolicy).HasConversion<UpdatePolicyConverter>().HasMaxLength(UpdatePolicyConverter.MaxLength)
            .HasDefaultValueSql("'25%;0;10;600;0'");
        builder.Property(e => e.RolloutPausedReason).HasMaxLength(Limits.ReasonMaxLength);
        builder.Property(e => e.Revision).HasDefaultValue(1);
        builder.Property(e => e.LastRevision).HasDefaultValue(1);
        builder.Ignore(e => e.OutdatedInstances);
        builder.Ignore(e => e.RollingOut);
        builder.Ignore(e => e.Surge);
        builder.Ignore(e => e.RevertWanted);
    }
}

internal sealed class EngineRevisionConfiguration : IEntityTypeConfiguration<EngineRevision>
{
    public void Configure(EntityTypeBuilder<EngineRevision> builder)
    {
        builder.ToTable("EngineRevisions");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).ValueGeneratedNever();
        builder.Property(r => r.Version).IsConcurrencyToken();
        builder.HasIndex(r => new { r.EngineId, r.Number }).IsUnique();
        builder.Property(r => r.Image).HasMaxLength(Limits.ImageMaxLength).IsRequired();
        builder.Property(r => r.Resources).HasConversion<ResourcesConverter>().HasMaxLength(ResourcesConverter.MaxLength);
        builder.Ignore(r => r.Command);
        builder.Ignore(r => r.Environment);
        builder.Property<List<string>?>("_command").HasColumnName("Command").HasJsonConversion(JsonValue.NullableListComparer<string>());
        builder.Property<Dictionary<string, string>>("_environment").HasColumnName("Environment").HasJsonConversion(JsonValue.DictionaryComparer()).IsRequired();
        builder.HasOne<Engine>().WithMany().HasForeignKey(r => r.EngineId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class EngineInstanceConfiguration : IEntityTypeConfiguration<EngineInstance>
{
    public void Configure(EntityTypeBuilder<EngineInstance> builder)
    {
        builder.ToTable("EngineInstances");
        builder.HasKey(i => i.Id);
        builder.Property(i => i.Id).ValueGeneratedNever();
        builder.Property(i => i.Version).IsConcurrencyToken();
        builder.Property(i => i.Image).HasMaxLength(Limits.ImageMaxLength).IsRequired();
        builder.Property(i => i.Resources).HasConversion<ResourcesConverter>().HasMaxLength(ResourcesConverter.MaxLength);
        builder.Property(i => i.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(i => i.ContainerId).HasMaxLength(Limits.ContainerIdMaxLength);
        builder.Property(i => i.StopReason).HasMaxLength(Limits.ReasonMaxLength);
        builder.Ignore(i => i.GpuIndexes);
        builder.Ignore(i => i.IsActive);
        builder.Ignore(i => i.IsUp);
        builder.Ignore(i => i.HoldsResources);
        builder.Ignore(i => i.IsEnded);
        RuntimeColumns.Configure(builder);
        builder.Ignore(i => i.Runtime);
        builder.Property(i => i.Revision).HasDefaultValue(1);
        builder.Property<List<int>>("_gpuIndexes").HasColumnName("GpuIndexes").HasJsonConversion(JsonValue.ListComparer<int>()).IsRequired();
        builder.HasOne<Engine>().WithMany().HasForeignKey(i => i.EngineId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Domain.Hosts.Host>().WithMany().HasForeignKey(i => i.HostId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(i => new { i.HostId, i.State, i.StateChangedAt });
        builder.HasIndex(i => new { i.EngineId, i.State });
        builder.HasIndex(i => i.State);
    }
}

/// <summary>An engine's runtime (command, environment, stop grace), as stored on the engine and on each copy it launched.</summary>
internal static class RuntimeColumns
{
    public static void Configure<T>(EntityTypeBuilder<T> builder)
        where T : class
    {
        builder.Property<List<string>?>("_command").HasColumnName("Command").HasJsonConversion(JsonValue.NullableListComparer<string>());
        builder.Property<Dictionary<string, string>>("_environment").HasColumnName("Environment").HasJsonConversion(JsonValue.DictionaryComparer()).IsRequired();
        builder.Property<int>(nameof(Engine.StopGraceSeconds));
    }
}
