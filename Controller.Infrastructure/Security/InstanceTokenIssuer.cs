using System.Security.Cryptography;
using System.Text;
using Controller.Application.Common.Security;

namespace Controller.Infrastructure.Security;

/// <summary>
/// Engine-instance secrets are HMAC-SHA256(cluster key, token id): the same on every replica and every
/// repetition of a launch order, while only their hash is stored with the token. The cluster key is made
/// once per database and shared by the replicas through it.
/// </summary>
public sealed class InstanceTokenIssuer : IInstanceTokenIssuer
{
    public const string SettingName = "instance-token-key";

    private byte[]? _key;

    public void UseKey(string base64Key) => _key = Convert.FromBase64String(base64Key);

    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public string SecretFor(Guid tokenId)
    {
        var key = _key ?? throw new InvalidOperationException("The instance token key has not been loaded.");
        return TokenService.Prefix + TokenService.Base64Url(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(tokenId.ToString("N"))));
    }
}
