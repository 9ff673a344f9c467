using Controller.Application.Common.Exceptions;
using Controller.Application.Hosts.Commands.UpdateHostStatus;
using Controller.Domain.Hosts;

namespace Controller.Application.Hosts;

internal static class HostErrors
{
    public static NotFoundException NotFound(Guid hostId) =>
        new("host_not_found", $"No host with id {hostId}.", new Dictionary<string, object?> { ["hostId"] = hostId });

    public static HostMode ModeOf(HostState state) => state switch
    {
        HostState.Draining or HostState.Drained => HostMode.Drain,
        HostState.Terminating or HostState.Terminated => HostMode.Terminate,
        _ => HostMode.Continue,
    };
}
