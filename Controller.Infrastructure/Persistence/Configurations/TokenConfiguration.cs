using Controller.Domain.Common;
using Controller.Domain.Tokens;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Controller.Infrastructure.Persistence.Configurations;

internal sealed class TokenConfiguration : IEntityTypeConfiguration<Token>
{
    public void Configure(EntityTypeBuilder<Token> builder)
    {
        builder.ToTable("Tokens");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Id).ValueGeneratedNever();
        builder.Property(t => t.Version).IsConcurrencyToken();
        builder.Property(t => t.Name).HasMaxLength(Limits.NameMaxLength).IsRequired();
        builder.Property(t => t.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(t => t.Hash).HasMaxLength(Token.HashLength).IsRequired();
        builder.HasIndex(t => t.Hash).IsUnique();
        builder.HasIndex(t => t.HostId);
        builder.HasIndex(t => t.EngineInstanceId);
        builder.HasIndex(t => new { t.Kind, t.RevokedAt });
        builder.Ignore(t => t.IsRevoked);
    }
}
