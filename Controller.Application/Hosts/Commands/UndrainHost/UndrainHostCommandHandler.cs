using Controller.Application.Common.Interfaces;
using Controller.Application.Hosts.Models;
using Mediator;

namespace Controller.Application.Hosts.Commands.UndrainHost;

public sealed class UndrainHostCommandHandler(IHostRepository hosts, IUnitOfWork unitOfWork, TimeProvider clock)
    : ICommandHandler<UndrainHostCommand, HostSummaryDto>
{
    public async ValueTask<HostSummaryDto> Handle(UndrainHostCommand command, CancellationToken cancellationToken)
    {
        var host = await hosts.FindAsync(command.HostId, cancellationToken) ?? throw HostErrors.NotFound(command.HostId);
        host.Undrain(clock.GetUtcNow());
        await unitOfWork.SaveChangesAsync(cancellationToken);
        return host.ToSummary();
    }
}
