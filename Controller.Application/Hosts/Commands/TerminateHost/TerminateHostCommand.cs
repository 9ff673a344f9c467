using Controller.Application.Hosts.Models;
using Mediator;

namespace Controller.Application.Hosts.Commands.TerminateHost;

/// <summary>Mark the host for deletion; the agent learns it on its next status report.</summary>
public sealed record TerminateHostCommand(Guid HostId) : ICommand<HostSummaryDto>;
