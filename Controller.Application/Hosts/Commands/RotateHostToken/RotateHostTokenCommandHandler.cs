using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Controller.Application.Common.Security;
using Controller.Domain.Hosts;
using Controller.Domain.Tokens;
using Mediator;
using Microsoft.Extensions.Options;

namespace Controller.Application.Hosts.Commands.RotateHostToken;

public sealed class RotateHostTokenCommandHandler(
    IHostRepository hosts,
    ITokenRepository tokens,
    IUnitOfWork unitOfWork,
    ITokenService tokenService,
    IOptions<TokenOptions> options,
    TimeProvider clock) : ICommandHandler<RotateHostTokenCommand, RotatedHostToken>
{
    public async ValueTask<RotatedHostToken> Handle(RotateHostTokenCommand command, CancellationToken cancellationToken)
    {
        var host = await hosts.FindAsync(command.HostId, cancellationToken) ?? throw HostErrors.NotFound(command.HostId);
        if (host.State == HostState.Terminated)
        {
            throw new Common.Exceptions.ConflictException("host_state_conflict", "A terminated host has no token to rotate.",
                new Dictionary<string, object?> { ["hostId"] = host.Id });
        }

        var now = clock.GetUtcNow();
        var overlapEnds = now + TimeSpan.FromSeconds(options.Value.RotationPickupSeconds);
        var previous = await tokens.ListUnrevokedForHostAsync(host.Id, cancellationToken);
        foreach (var token in previous)
        {
            token.ExpireAt(overlapEnds);
        }

        var secret = tokenService.NewSecret();
        var issued = Token.IssueForHost(Guid.CreateVersion7(now), host.Id, host.Hostname, tokenService.Hash(secret), now);
        tokens.Add(issued);
        await unitOfWork.SaveChangesAsync(cancellationToken);
        foreach (var token in previous)
        {
            tokenService.EvictShortened(token.Hash);
        }

        return new RotatedHostToken(host.Id, issued.Id, secret, overlapEnds);
    }
}
