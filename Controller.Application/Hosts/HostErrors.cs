using Controller.Application.Common.Exceptions;
using Controller.Application.Hosts.Models;
using Controller.Domain.Hosts;

namespace Controller.Application.Hosts;

internal static class HostErrors
{
    public static NotFoundException NotFound(Guid hostId) =>
        new("host_not_found", $"No host with id {hostId}.", new Dictionary<string, object?> { ["hostId"] = hostId });

    /// <summary>
    /// What the agent is told: <c>terminate</c> (shut the host down) only once its containers are gone;
    /// a terminating host that still has some is told to drain while its terminate orders are carried out.
    /// </summary>
    public static HostMode ModeOf(HostState state, int instancesHoldingResources = 0) => state switch
    {
        HostState.Draining or HostState.Drained => HostMode.Drain,
        HostState.Terminating when instancesHoldingResources > 0 => HostMode.Drain,
        HostState.Terminating or HostState.Terminated => HostMode.Terminate,
        _ => HostMode.Continue,
    };
}
