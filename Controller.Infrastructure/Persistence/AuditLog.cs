using Controller.Application.Audit;
using Controller.Domain.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.DependencyInjection;

namespace Controller.Infrastructure.Persistence;

internal sealed class AuditLog(IServiceScopeFactory scopes, ControllerDbContext db) : IAuditLog
{
    public async Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var own = scope.ServiceProvider.GetRequiredService<ControllerDbContext>();
        var gate = scope.ServiceProvider.GetRequiredService<IDatabaseWriteGate>();
        own.Set<AuditEntry>().Add(entry);
        using (await gate.EnterAsync(cancellationToken))
        {
            await own.SaveChangesAsync(CancellationToken.None);
        }
    }

    public async Task<(IReadOnlyList<AuditEntry> Items, int Total)> ListAsync(Guid? tokenId, string? actionContains, int skip, int take, CancellationToken cancellationToken)
    {
        var query = db.Set<AuditEntry>().AsNoTracking();
        if (tokenId is not null)
        {
            query = query.Where(e => e.TokenId == tokenId);
        }

        if (!string.IsNullOrEmpty(actionContains))
        {
            query = query.Where(e => e.Action.Contains(actionContains));
        }

        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderByDescending(e => e.Id).Skip(skip).Take(take).ToListAsync(cancellationToken);
        return (items, total);
    }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.ToTable("AuditLog");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).ValueGeneratedNever();
        builder.Property(e => e.TokenName).HasMaxLength(Controller.Domain.Common.Limits.NameMaxLength).IsRequired();
        builder.Property(e => e.Action).HasMaxLength(AuditEntry.ActionMaxLength).IsRequired();
        builder.Ignore(e => e.Succeeded);
        builder.HasIndex(e => e.TokenId);
        builder.HasIndex(e => e.At);
    }
}
