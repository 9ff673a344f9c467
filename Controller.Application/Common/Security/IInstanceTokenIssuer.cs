namespace Controller.Application.Common.Security;

/// <summary>
/// Engine-instance secrets are derived from the token id with a cluster key, so the controller can repeat a
/// launch order (level-triggered) with the same secret while storing only its hash.
/// </summary>
public interface IInstanceTokenIssuer
{
    string SecretFor(Guid tokenId);
}
