using System.Security.Cryptography;
using System.Text;
using Controller.Application.Common.Security;
using Microsoft.Extensions.Caching.Memory;

namespace Controller.Infrastructure.Security;

/// <summary>Secrets are "ctl_" plus 32 random bytes in base64url; they are stored and looked up by SHA-256.</summary>
internal sealed class TokenService(IMemoryCache cache) : ITokenService
{
    public const string Prefix = "ctl_";

    public string NewSecret() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    public void Evict(byte[] hash) => cache.Remove(TokenAuthenticator.CacheKey(hash));

    internal static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
