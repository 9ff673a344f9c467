using Controller.Infrastructure.Options;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Controller.Infrastructure.Security;

/// <summary>
/// This replica's cached token validations. A revoked token is forgotten here at once and on the other replicas at
/// their next poll (<see cref="BackgroundServices.TokenEpochService"/> reads the revocation times). An expiry shortened
/// anywhere in the cluster (a rotation's overlap, a terminated host's grace) moves the shared epoch; when a replica sees
/// it move, every cached validation here expires at once. Either reaches every replica within one poll, however long the
/// cache lasts.
/// </summary>
public sealed class TokenCacheEpoch(IMemoryCache cache, IOptions<ControllerOptions> options) : IDisposable
{
    private readonly IMemoryCache _cache = cache;

    /// <summary>Caches a validation for <see cref="ControllerOptions.TokenCacheSeconds"/>, in the current generation.</summary>
    public void Remember(string key, object validation) =>
        _cache.Set(key, validation, EntryOptions(TimeSpan.FromSeconds(options.Value.TokenCacheSeconds)));

    private CancellationTokenSource _generation = new();
    private int _pending;

    /// <summary>The options a cached validation is stored with: its lifetime, and the current generation.</summary>
    private MemoryCacheEntryOptions EntryOptions(TimeSpan lifetime) => new MemoryCacheEntryOptions()
        .SetAbsoluteExpiration(lifetime)
        .AddExpirationToken(new CancellationChangeToken(Volatile.Read(ref _generation).Token));

    /// <summary>A token's expiry was shortened on this replica: the shared epoch must move.</summary>
    public void MarkExpiryShortened() => Interlocked.Exchange(ref _pending, 1);

    /// <summary>Forgets the cached validations of these tokens (revoked elsewhere); returns how many were cached.</summary>
    public int Forget(IEnumerable<byte[]> hashes)
    {
        var forgotten = 0;
        foreach (var hash in hashes)
        {
            var key = TokenAuthenticator.CacheKey(hash);
            if (_cache.TryGetValue(key, out _))
            {
                _cache.Remove(key);
                forgotten++;
            }
        }

        return forgotten;
    }

    /// <summary>Whether an expiry was shortened here since the last call.</summary>
    public bool TakeExpiryShortened() => Interlocked.Exchange(ref _pending, 0) == 1;

    /// <summary>Every validation cached so far expires.</summary>
    public void ExpireAll()
    {
        // The previous source is not disposed: a request may still be reading its token (it has no timer to release).
        Interlocked.Exchange(ref _generation, new CancellationTokenSource()).Cancel();
    }

    public void Dispose() => _generation.Dispose();
}
