using System.Security.Cryptography;
using Controller.Application.Common.Security;
using Controller.Domain.Tokens;
using Controller.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Controller.Infrastructure.Security;

/// <summary>
/// Looks a presented secret up by its hash. Valid tokens are cached for <see cref="Options.ControllerOptions.TokenCacheSeconds"/>
/// so that the status hot path does not read the token table; revocation on this replica evicts the entry at once,
/// other replicas notice within the cache lifetime.
/// </summary>
public sealed class TokenAuthenticator(
    ControllerDbContext db,
    ITokenService tokens,
    IMemoryCache cache,
    TokenCacheEpoch epoch,
    HostTokenFirstUse firstUse,
    TimeProvider clock) : ITokenAuthenticator
{
    // Compiled: every request whose token is not cached (after a restart, the cache lifetime or a revocation) reads it.
    private static readonly Func<ControllerDbContext, byte[], CancellationToken, Task<TokenSnapshot?>> ByHash =
        EF.CompileAsyncQuery((ControllerDbContext db, byte[] hash, CancellationToken _) => db.Tokens.AsNoTracking()
            .Where(t => t.Hash == hash)
            .Select(t => new TokenSnapshot(t.Id, t.Name, t.Kind, t.HostId, t.EngineInstanceId, t.ExpiresAt, t.RevokedAt, t.Hash) { FirstUsedAt = t.FirstUsedAt })
            .FirstOrDefault());

    private static readonly Func<ControllerDbContext, Guid, CancellationToken, Task<TokenSnapshot?>> ById =
        EF.CompileAsyncQuery((ControllerDbContext db, Guid id, CancellationToken _) => db.Tokens.AsNoTracking()
            .Where(t => t.Id == id)
            .Select(t => new TokenSnapshot(t.Id, t.Name, t.Kind, t.HostId, t.EngineInstanceId, t.ExpiresAt, t.RevokedAt, t.Hash) { FirstUsedAt = t.FirstUsedAt })
            .FirstOrDefault());

    public static string CacheKey(byte[] hash) => "token:" + Convert.ToHexString(hash);

    /// <summary>
    /// By id, through the same cached validation as <see cref="AuthenticateAsync"/> (keyed by the token's hash, which
    /// is remembered per id): a revocation here evicts it at once, one elsewhere within the token-epoch poll.
    /// </summary>
    public async Task<TokenCheck> CheckAsync(Guid tokenId, CancellationToken cancellationToken)
    {
        var hashKey = "token-hash:" + tokenId.ToString("N");
        TokenSnapshot? snapshot = null;
        if (!cache.TryGetValue(hashKey, out byte[]? hash) || hash is null || !cache.TryGetValue(CacheKey(hash), out snapshot) || snapshot is null)
        {
            snapshot = await ById(db, tokenId, cancellationToken);
            if (snapshot is null)
            {
                return TokenCheck.Unknown;
            }

            cache.Set(hashKey, snapshot.Hash, TimeSpan.FromHours(1));
            Remember(CacheKey(snapshot.Hash), snapshot);
        }

        return StateOf(snapshot, clock.GetUtcNow());
    }

    public async Task<(TokenCheck Check, TokenSnapshot? Token)> AuthenticateAsync(string secret, CancellationToken cancellationToken)
    {
        var hash = tokens.Hash(secret);
        var key = CacheKey(hash);
        if (!cache.TryGetValue(key, out TokenSnapshot? snapshot) || snapshot is null)
        {
            snapshot = await ByHash(db, hash, cancellationToken);
            if (snapshot is null)
            {
                return (TokenCheck.Unknown, null);
            }

            Remember(key, snapshot);
        }

        // The lookup was by hash; compare the stored hash in constant time all the same.
        if (!CryptographicOperations.FixedTimeEquals(snapshot.Hash, hash))
        {
            return (TokenCheck.Unknown, null);
        }

        var now = clock.GetUtcNow();
        if (StateOf(snapshot, now) is not TokenCheck.Valid and var refused)
        {
            return (refused, snapshot);
        }

        if (snapshot is { Kind: TokenKind.Host, FirstUsedAt: null })
        {
            snapshot = await FirstUseAsync(snapshot, key, now, cancellationToken);
        }

        return (TokenCheck.Valid, snapshot);
    }

    /// <summary>Caches a validation read from the database; a revoked token is not cached (it is read again each time).</summary>
    private void Remember(string key, TokenSnapshot snapshot)
    {
        if (snapshot.RevokedAt is null)
        {
            epoch.Remember(key, snapshot);
        }
    }

    private static TokenCheck StateOf(TokenSnapshot snapshot, DateTimeOffset now) => snapshot switch
    {
        { RevokedAt: not null } => TokenCheck.Revoked,
        { ExpiresAt: { } expires } when expires <= now => TokenCheck.Expired,
        _ => TokenCheck.Valid,
    };

    private async Task<TokenSnapshot> FirstUseAsync(TokenSnapshot snapshot, string key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await firstUse.RecordAsync(snapshot, now, cancellationToken);
        var used = snapshot with { FirstUsedAt = now };
        Remember(key, used);
        return used;
    }
}

/// <summary>
/// A host token's first use proves that its agent has it: the host's other tokens (a rotation's previous ones, and
/// those of rotations whose answer was lost) now expire after the overlap. Once per token; later requests see
/// <c>FirstUsedAt</c> in the cached snapshot.
/// </summary>
public sealed class HostTokenFirstUse(ControllerDbContext db, ITokenService tokens, IDatabaseWriteGate writeGate, IOptions<Application.Common.Options.TokenOptions> tokenOptions)
{
    public async Task RecordAsync(TokenSnapshot snapshot, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var overlapEnds = now + TimeSpan.FromSeconds(tokenOptions.Value.RotationOverlapSeconds);
        using (await writeGate.EnterAsync(cancellationToken))
        {
            var first = await db.Tokens.Where(t => t.Id == snapshot.Id && t.FirstUsedAt == null)
                .ExecuteUpdateAsync(u => u.SetProperty(t => t.FirstUsedAt, now), cancellationToken);
            if (first == 1)
            {
                var previous = db.Tokens.Where(t => t.HostId == snapshot.HostId && t.Id != snapshot.Id && t.RevokedAt == null
                    && (t.ExpiresAt == null || t.ExpiresAt > overlapEnds));
                var hashes = await previous.Select(t => t.Hash).ToListAsync(cancellationToken);
                if (hashes.Count > 0)
                {
                    await previous.ExecuteUpdateAsync(u => u.SetProperty(t => t.ExpiresAt, overlapEnds), cancellationToken);
                    hashes.ForEach(tokens.EvictShortened);
                }
            }
        }
    }
}
