using Controller.Application.Hosts.Models;
using Mediator;

namespace Controller.Application.Hosts.Commands.RegisterHost;

/// <summary>An agent registers its host (or, presenting its own host token, registers it again after a restart).</summary>
public sealed record RegisterHostCommand(
    string? MachineId,
    string? Hostname,
    IReadOnlyList<string>? IpAddresses,
    string? AgentVersion,
    IReadOnlyDictionary<string, string>? Labels,
    CapacityModel? Capacity,
    IReadOnlyList<ContainerReportModel>? Containers) : ICommand<RegisterHostResult>;

/// <summary>
/// The registered host. <see cref="Token"/> is the host's bearer secret, present only when the host
/// was created by this call (<see cref="Created"/>); a re-registration keeps the token the agent has.
/// </summary>
public sealed record RegisterHostResult(Guid HostId, string? Token, int StatusIntervalSeconds, Domain.Hosts.HostState State, bool Created);
