using Controller.Agent.Identity;
using Controller.Client;

namespace Controller.Agent;

/// <summary>Rotates the host token: the new token is saved before it is used (the old one keeps working for the overlap).</summary>
public static class TokenRotation
{
    public static async Task RotateAsync(ControllerApiClient client, HostIdentityStore identity, Guid hostId, TimeProvider clock, CancellationToken cancellationToken)
    {
        var current = identity.Current ?? throw new AgentFatalException($"No host identity in {identity.Path}: the agent has not registered yet.");
        var rotated = await client.Host[hostId].Token.PostAsync(cancellationToken: cancellationToken);
        if (rotated?.Token is not { Length: > 0 } token)
        {
            throw new AgentFatalException("The controller answered the rotation without a token.");
        }

        identity.Save(current with { Token = token, IssuedAt = clock.GetUtcNow() });
    }
}
