using Controller.Application.Common.Interfaces;
using Controller.Application.Hosts.Models;
using Mediator;

namespace Controller.Application.Hosts.Commands.TerminateHost;

public sealed class TerminateHostCommandHandler(IHostRepository hosts, IUnitOfWork unitOfWork, TimeProvider clock)
    : ICommandHandler<TerminateHostCommand, HostSummaryDto>
{
    public async ValueTask<HostSummaryDto> Handle(TerminateHostCommand command, CancellationToken cancellationToken)
    {
        return await HostUpdates.RunAsync(hosts, unitOfWork, command.HostId, host => host.Terminate(clock.GetUtcNow()), cancellationToken);
    }
}
