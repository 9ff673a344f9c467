using Controller.Domain.Common;

namespace Controller.Domain.Hosts;

/// <summary>What an agent tells about its host when it registers.</summary>
public sealed record HostRegistration(
    string MachineId,
    string Hostname,
    IReadOnlyList<string> IpAddresses,
    string? AgentVersion,
    IReadOnlyDictionary<string, string> Labels,
    Resources Capacity,
    IReadOnlyList<GpuDevice> Gpus);
