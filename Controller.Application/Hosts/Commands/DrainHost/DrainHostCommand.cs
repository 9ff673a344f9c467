using Controller.Application.Hosts.Models;
using Mediator;

namespace Controller.Application.Hosts.Commands.DrainHost;

/// <summary>Stop new launches on the host; with a deadline, whatever still runs there is stopped then.</summary>
public sealed record DrainHostCommand(Guid HostId, int? DeadlineSeconds) : ICommand<HostSummaryDto>;
