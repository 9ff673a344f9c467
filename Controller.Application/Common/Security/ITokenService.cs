namespace Controller.Application.Common.Security;

/// <summary>Makes bearer secrets and their hashes; the controller stores only hashes.</summary>
public interface ITokenService
{
    /// <summary>A new random secret (256 bits of entropy).</summary>
    string NewSecret();

    /// <summary>The SHA-256 hash under which a secret is stored and looked up.</summary>
    byte[] Hash(string secret);

    /// <summary>The token was revoked: forget its cached validation here (the other replicas read its revocation time at their next poll).</summary>
    void Evict(byte[] hash);

    /// <summary>The token's expiry was moved earlier: forget its cached validation here, and have every replica read its tokens again.</summary>
    void EvictShortened(byte[] hash);
}
