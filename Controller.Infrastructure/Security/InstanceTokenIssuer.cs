using System.Security.Cryptography;
using System.Text;
using Controller.Application.Common.Security;

namespace Controller.Infrastructure.Security;

/// <summary>
/// Engine-instance secrets are HMAC-SHA256(cluster key, token id): the same on every replica and every
/// repetition of a launch order, while only their hash is stored with the token. The cluster key is given to
/// every replica by configuration (or kept in a file beside the embedded database), never in the database.
/// </summary>
public sealed class InstanceTokenIssuer : IInstanceTokenIssuer
{
    /// <summary>Where versions before the key left the database kept it (read once to move it, then deleted).</summary>
    public const string SettingName = "instance-token-key";

    public const int MinKeyBytes = 32;

    private byte[]? _key;

    public void UseKey(string base64Key)
    {
        var key = new byte[base64Key.Length];
        if (!Convert.TryFromBase64String(base64Key, key, out var length) || length < MinKeyBytes)
        {
            throw new InvalidOperationException($"The instance-token key (Controller:InstanceTokenKey) must be base64 of at least {MinKeyBytes} bytes, e.g. the output of 'openssl rand -base64 32'.");
        }

        _key = key[..length];
    }

    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public string SecretFor(Guid tokenId)
    {
        var key = _key ?? throw new InvalidOperationException("The instance token key has not been loaded.");
        return TokenService.Prefix + TokenService.Base64Url(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(tokenId.ToString("N"))));
    }
}
