using Controller.Application.Common.Interfaces;
using Controller.Domain.Tokens;
using Microsoft.EntityFrameworkCore;

namespace Controller.Infrastructure.Persistence.Repositories;

internal sealed class TokenRepository(ControllerDbContext db) : ITokenRepository
{
    // Compiled: read by every status round that ends a copy.
    private static readonly Func<ControllerDbContext, Guid, IAsyncEnumerable<Token>> UnrevokedOfInstance =
        EF.CompileAsyncQuery((ControllerDbContext db, Guid instanceId) => db.Tokens.Where(t => t.EngineInstanceId == instanceId && t.RevokedAt == null));

    public Task<Token?> FindAsync(Guid tokenId, CancellationToken cancellationToken) =>
        db.Tokens.FirstOrDefaultAsync(t => t.Id == tokenId, cancellationToken);

    public void Add(Token token) => db.Tokens.Add(token);

    public async Task<IReadOnlyList<Token>> ListUnrevokedForHostAsync(Guid hostId, CancellationToken cancellationToken) =>
        await db.Tokens.Where(t => t.HostId == hostId && t.RevokedAt == null).ToListAsync(cancellationToken);

    public async Task<IReadOnlyList<Token>> ListUnrevokedForInstancesAsync(IReadOnlyCollection<Guid> instanceIds, CancellationToken cancellationToken)
    {
        if (instanceIds.Count > 4)
        {
            // A lost host's copies, or a batch: one query.
            return await db.Tokens.Where(t => t.EngineInstanceId != null && instanceIds.Contains(t.EngineInstanceId.Value) && t.RevokedAt == null)
                .ToListAsync(cancellationToken);
        }

        // A round mostly ends one copy: a compiled query per instance (no translation, no list parameter) beats one IN query.
        var tokens = new List<Token>();
        foreach (var instanceId in instanceIds)
        {
            await foreach (var token in UnrevokedOfInstance(db, instanceId).WithCancellation(cancellationToken))
            {
                tokens.Add(token);
            }
        }

        return tokens;
    }

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
