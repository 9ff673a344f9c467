using Controller.Application.Common.Interfaces;
using Controller.Domain.Tokens;
using Microsoft.EntityFrameworkCore;

namespace Controller.Infrastructure.Persistence.Repositories;

internal sealed class TokenRepository(ControllerDbContext db) : ITokenRepository
{
    public Task<Token?> FindAsync(Guid tokenId, CancellationToken cancellationToken) =>
        db.Tokens.FirstOrDefaultAsync(t => t.Id == tokenId, cancellationToken);

    public void Add(Token token) => db.Tokens.Add(token);

    public async Task<IReadOnlyList<Token>> ListUnrevokedForHostAsync(Guid hostId, CancellationToken cancellationToken) =>
        await db.Tokens.Where(t => t.HostId == hostId && t.RevokedAt == null).ToListAsync(cancellationToken);

    public async Task<IReadOnlyList<Token>> ListUnrevokedForInstancesAsync(IReadOnlyCollection<Guid> instanceIds, CancellationToken cancellationToken) =>
        instanceIds.Count == 0
            ? []
            : await db.Tokens.Where(t => t.EngineInstanceId != null && instanceIds.Contains(t.EngineInstanceId.Value) && t.RevokedAt == null).ToListAsync(cancellationToken);

    public async Task<(IReadOnlyList<Token> Items, int Total)> ListAsync(TokenKind? kind, bool includeRevoked, int skip, int take, CancellationToken cancellationToken)
    {
        var query = db.Tokens.AsNoTracking();
        if (kind is not null)
        {
            query = query.Where(t => t.Kind == kind);
        }

        if (!includeRevoked)
        {
            query = query.Where(t => t.RevokedAt == null);
        }

        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderByDescending(t => t.Id).Skip(skip).Take(take).ToListAsync(cancellationToken);
        return (items, total);
    }

    public async Task<IReadOnlyList<Token>> ListWorkingAdminsAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        await db.Tokens.Where(t => t.Kind == TokenKind.Admin && t.RevokedAt == null && (t.ExpiresAt == null || t.ExpiresAt > now)).ToListAsync(cancellationToken);

    public void MarkChanged(Token token) => db.Entry(token).State = EntityState.Modified;

    public Task<bool> AnyUnrevokedAdminAsync(CancellationToken cancellationToken) =>
        db.Tokens.AnyAsync(t => t.Kind == TokenKind.Admin && t.RevokedAt == null, cancellationToken);
}
