using System.Security.Cryptography;
using System.Text;
using Controller.Application.Common.Security;
using Microsoft.Extensions.Caching.Memory;

namespace Controller.Infrastructure.Security;

/// <summary>Secrets are "ctl_" plus 32 random bytes in base64url; they are stored and looked up by SHA-256.</summary>
internal sealed class TokenService(IMemoryCache cache, TokenCacheEpoch epoch) : ITokenService
{
    public const string Prefix = "ctl_";

    public string NewSecret() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    /// <summary>Forgets the revoked token's cached validation here at once; the other replicas read its revocation time at their next poll.</summary>
    public void Evict(byte[] hash) => cache.Remove(TokenAuthenticator.CacheKey(hash));

    /// <summary>Forgets the token's cached validation here at once, and has every replica expire its cached validations at its next poll.</summary>
    public void EvictShortened(byte[] hash)
    {
        Evict(hash);
        epoch.MarkExpiryShortened();
    }

    internal static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
