using Controller.Application.Common.Interfaces;
using Controller.Domain.EngineInstances;
using Controller.Domain.Hosts;
using Controller.Domain.Tokens;

namespace Controller.Application.Common.Security;

/// <summary>Issues the tokens of hosts and engine instances: a secret, and the token that stores only its hash.</summary>
public sealed class TokenIssuer(ITokenRepository tokens, ITokenService tokenService)
{
    /// <summary>A new token for the host; its secret is shown once, to the caller.</summary>
    public (Token Token, string Secret) IssueForHost(Host host, DateTimeOffset now)
    {
        var secret = tokenService.NewSecret();
        var token = Token.IssueForHost(Guid.CreateVersion7(now), host.Id, host.Hostname, tokenService.Hash(secret), now);
        tokens.Add(token);
        return (token, secret);
    }

    /// <summary>The token of a copy being launched, whose secret (derived from its id) travels in the launch order.</summary>
    public void IssueForInstance(Guid tokenId, EngineInstance instance, string engineName, string secret, DateTimeOffset now) =>
        tokens.Add(Token.IssueForEngineInstance(tokenId, instance.Id, engineName, tokenService.Hash(secret), now));
}
