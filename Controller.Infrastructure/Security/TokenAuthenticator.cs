using System.Security.Cryptography;
using Controller.Application.Common.Security;
using Controller.Domain.Tokens;
using Controller.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Controller.Infrastructure.Security;

/// <summary>What the authentication handler needs to know about a token, cached for a few seconds.</summary>
public sealed record TokenSnapshot(Guid Id, string Name, TokenKind Kind, Guid? HostId, Guid? EngineInstanceId, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, byte[] Hash);

public enum TokenCheck
{
    Valid,
    Unknown,
    Expired,
    Revoked,
}

/// <summary>
/// Looks a presented secret up by its hash. Valid tokens are cached for <see cref="ControllerOptions.TokenCacheSeconds"/>
/// so that the status hot path does not read the token table; revocation on this replica evicts the entry at once,
/// other replicas notice within the cache lifetime.
/// </summary>
public sealed class TokenAuthenticator(ControllerDbContext db, ITokenService tokens, IMemoryCache cache, IOptions<ControllerOptions> options, TimeProvider clock)
{
    public static string CacheKey(byte[] hash) => "token:" + Convert.ToHexString(hash);

    public async Task<(TokenCheck Check, TokenSnapshot? Token)> AuthenticateAsync(string secret, CancellationToken cancellationToken)
    {
        var hash = tokens.Hash(secret);
        var key = CacheKey(hash);
        if (!cache.TryGetValue(key, out TokenSnapshot? snapshot) || snapshot is null)
        {
            snapshot = await db.Tokens.AsNoTracking()
                .Where(t => t.Hash == hash)
                .Select(t => new TokenSnapshot(t.Id, t.Name, t.Kind, t.HostId, t.EngineInstanceId, t.ExpiresAt, t.RevokedAt, t.Hash))
                .FirstOrDefaultAsync(cancellationToken);
            if (snapshot is null)
            {
                return (TokenCheck.Unknown, null);
            }

            if (snapshot.RevokedAt is null)
            {
                cache.Set(key, snapshot, TimeSpan.FromSeconds(options.Value.TokenCacheSeconds));
            }
        }

        // The lookup was by hash; compare the stored hash in constant time all the same.
        if (!CryptographicOperations.FixedTimeEquals(snapshot.Hash, hash))
        {
            return (TokenCheck.Unknown, null);
        }

        if (snapshot.RevokedAt is not null)
        {
            return (TokenCheck.Revoked, snapshot);
        }

        return snapshot.ExpiresAt is { } expires && expires <= clock.GetUtcNow()
            ? (TokenCheck.Expired, snapshot)
            : (TokenCheck.Valid, snapshot);
    }
}
