namespace Controller.Application.Common.Security;

/// <summary>Makes bearer secrets and their hashes; the controller stores only hashes.</summary>
public interface ITokenService
{
    /// <summary>A new random secret (256 bits of entropy).</summary>
    string NewSecret();

    /// <summary>The SHA-256 hash under which a secret is stored and looked up.</summary>
    byte[] Hash(string secret);

    /// <summary>Forget any cached validation of this token on this replica (after revocation).</summary>
    void Evict(byte[] hash);
}
