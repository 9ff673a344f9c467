using Controller.Application.Common.Interfaces;
using Controller.Application.Hosts.Models;
using Mediator;

namespace Controller.Application.Hosts.Commands.DrainHost;

public sealed class DrainHostCommandHandler(IHostRepository hosts, IUnitOfWork unitOfWork, TimeProvider clock)
    : ICommandHandler<DrainHostCommand, HostSummaryDto>
{
    public async ValueTask<HostSummaryDto> Handle(DrainHostCommand command, CancellationToken cancellationToken)
    {
        var host = await hosts.FindAsync(command.HostId, cancellationToken) ?? throw HostErrors.NotFound(command.HostId);
        host.Drain(clock.GetUtcNow(), command.DeadlineSeconds is { } s ? TimeSpan.FromSeconds(s) : null);
        await unitOfWork.SaveChangesAsync(cancellationToken);
        return host.ToSummary();
    }
}
