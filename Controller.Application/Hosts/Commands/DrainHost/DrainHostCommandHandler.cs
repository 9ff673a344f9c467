using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Controller.Application.Hosts.Models;
using Mediator;
using Microsoft.Extensions.Options;

namespace Controller.Application.Hosts.Commands.DrainHost;

/// <summary>Drains a host; without a deadline in the request the drain ends at <c>Scheduling:DrainDeadlineSeconds</c>.</summary>
public sealed class DrainHostCommandHandler(IHostRepository hosts, IUnitOfWork unitOfWork, IOptions<SchedulingOptions> scheduling, TimeProvider clock)
    : ICommandHandler<DrainHostCommand, HostSummaryDto>
{
    public async ValueTask<HostSummaryDto> Handle(DrainHostCommand command, CancellationToken cancellationToken)
    {
        return await HostUpdates.RunAsync(hosts, unitOfWork, command.HostId, host => host.Drain(clock.GetUtcNow(),
            command.DeadlineSeconds is { } s ? TimeSpan.FromSeconds(s) : null, TimeSpan.FromSeconds(scheduling.Value.DrainDeadlineSeconds)), cancellationToken);
    }
}
