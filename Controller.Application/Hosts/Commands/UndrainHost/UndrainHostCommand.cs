using Controller.Application.Hosts.Models;
using Mediator;

namespace Controller.Application.Hosts.Commands.UndrainHost;

/// <summary>Return a draining or drained host to service.</summary>
public sealed record UndrainHostCommand(Guid HostId) : ICommand<HostSummaryDto>;
