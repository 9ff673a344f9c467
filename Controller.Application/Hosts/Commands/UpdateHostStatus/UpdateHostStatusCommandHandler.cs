using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Models;
using Controller.Domain.Hosts;
using Mediator;

namespace Controller.Application.Hosts.Commands.UpdateHostStatus;

public sealed class UpdateHostStatusCommandHandler(
    IHostRepository hosts,
    ITokenRepository tokens,
    IUnitOfWork unitOfWork,
    IStatusIntervalAdvisor intervals,
    Common.Security.ITokenService tokenService,
    TimeProvider clock) : ICommandHandler<UpdateHostStatusCommand, HostStatusAnswer>
{
    public async ValueTask<HostStatusAnswer> Handle(UpdateHostStatusCommand command, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var host = await hosts.FindAsync(command.HostId, cancellationToken)
            ?? throw HostErrors.NotFound(command.HostId);

        host.RecordStatus(command.Available!.ToResources(), JsonText.Serialize(new { command.Available, command.Containers }), now);

        if (host.State == HostState.Terminating)
        {
            host.CompleteTermination(now);
            foreach (var token in await tokens.ListUnrevokedForHostAsync(host.Id, cancellationToken))
            {
                token.Revoke(now);
                tokenService.Evict(token.Hash);
            }
        }

        var answer = new HostStatusAnswer(HostErrors.ModeOf(host.State), intervals.NextInterval(), [], []);
        host.RecordAnswer(JsonText.Serialize(answer));
        await unitOfWork.SaveChangesAsync(cancellationToken);
        return answer;
    }
}
