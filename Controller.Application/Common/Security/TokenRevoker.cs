using Controller.Application.Common.Interfaces;

namespace Controller.Application.Common.Security;

/// <summary>Ends the tokens of what ended: copies (at once) and terminated hosts (after a grace).</summary>
public sealed class TokenRevoker(ITokenRepository tokens, ITokenService tokenService)
{
    /// <summary>The tokens of these engine instances stop working now.</summary>
    public async Task RevokeForInstancesAsync(IReadOnlyCollection<Guid> instanceIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (instanceIds.Count > 0)
        {
            tokenService.RevokeAll(await tokens.ListUnrevokedForInstancesAsync(instanceIds, cancellationToken), now);
        }
    }

    /// <summary>The host's tokens stop working at <paramref name="at"/> (every replica forgets what it cached of them).</summary>
    public async Task ExpireForHostAsync(Guid hostId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        foreach (var token in await tokens.ListUnrevokedForHostAsync(hostId, cancellationToken))
        {
            token.ExpireAt(at);
            tokenService.EvictShortened(token.Hash);
        }
    }
}
