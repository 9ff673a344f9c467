using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Primitives;

namespace Controller.Infrastructure.Security;

/// <summary>
/// The generation of this replica's cached token validations. A revocation anywhere in the cluster moves the shared
/// epoch (<see cref="BackgroundServices.TokenEpochService"/>); when a replica sees it move, every cached validation
/// here expires at once, so revocations reach every replica within one poll, however long the cache lasts.
/// </summary>
public sealed class TokenCacheEpoch : IDisposable
{
    private CancellationTokenSource _generation = new();
    private int _pending;

    /// <summary>The options a cached validation is stored with: its lifetime, and the current generation.</summary>
    public MemoryCacheEntryOptions EntryOptions(TimeSpan lifetime) => new MemoryCacheEntryOptions()
        .SetAbsoluteExpiration(lifetime)
        .AddExpirationToken(new CancellationChangeToken(Volatile.Read(ref _generation).Token));

    /// <summary>A token was revoked or shortened on this replica: the shared epoch must move.</summary>
    public void MarkRevocation() => Interlocked.Exchange(ref _pending, 1);

    /// <summary>Whether a revocation happened since the last call.</summary>
    public bool TakeRevocation() => Interlocked.Exchange(ref _pending, 0) == 1;

    /// <summary>Every validation cached so far expires.</summary>
    public void ExpireAll()
    {
        // The previous source is not disposed: a request may still be reading its token (it has no timer to release).
        Interlocked.Exchange(ref _generation, new CancellationTokenSource()).Cancel();
    }

    public void Dispose() => _generation.Dispose();
}
