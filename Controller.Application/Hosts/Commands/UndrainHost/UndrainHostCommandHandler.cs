using Controller.Application.Common.Interfaces;
using Controller.Application.Hosts.Models;
using Mediator;

namespace Controller.Application.Hosts.Commands.UndrainHost;

public sealed class UndrainHostCommandHandler(IHostRepository hosts, IUnitOfWork unitOfWork, TimeProvider clock)
    : ICommandHandler<UndrainHostCommand, HostSummaryDto>
{
    public async ValueTask<HostSummaryDto> Handle(UndrainHostCommand command, CancellationToken cancellationToken)
    {
        return await HostUpdates.RunAsync(hosts, unitOfWork, command.HostId, host => host.Undrain(clock.GetUtcNow()), cancellationToken);
    }
}
