using Controller.Application.Common.Interfaces;
using Controller.Application.Hosts.Models;
using Mediator;

namespace Controller.Application.Hosts.Commands.TerminateHost;

public sealed class TerminateHostCommandHandler(IHostRepository hosts, IUnitOfWork unitOfWork, TimeProvider clock)
    : ICommandHandler<TerminateHostCommand, HostSummaryDto>
{
    public async ValueTask<HostSummaryDto> Handle(TerminateHostCommand command, CancellationToken cancellationToken)
    {
        var host = await hosts.FindAsync(command.HostId, cancellationToken) ?? throw HostErrors.NotFound(command.HostId);
        host.Terminate(clock.GetUtcNow());
        await unitOfWork.SaveChangesAsync(cancellationToken);
        return host.ToSummary();
    }
}
