using System.Text.Json;
using Controller.Application.Common.Models;
using Controller.Domain.Hosts;

namespace Controller.Application.Hosts.Models;

public sealed record GpuDto(int Index, string? Model, int? MemoryMiB);

/// <summary>A host in a listing.</summary>
public sealed record HostSummaryDto(
    Guid HostId,
    string MachineId,
    string Hostname,
    HostState State,
    IReadOnlyDictionary<string, string> Labels,
    DateTimeOffset RegisteredAt,
    DateTimeOffset LastSeenAt);

/// <summary>An engine instance on a host; <c>Displaced</c>: it runs on while its replacement starts elsewhere (its host drains, or its engine's labels no longer match the host).</summary>
public sealed record HostInstanceDto(Guid EngineInstanceId, Guid EngineId, string State, bool Displaced, string? ContainerId, ResourcesDto Resources, IReadOnlyList<int> GpuIndexes);

/// <summary>Everything about one host.</summary>
public sealed record HostDetailDto(
    Guid HostId,
    string MachineId,
    string Hostname,
    IReadOnlyList<string> IpAddresses,
    string? AgentVersion,
    IReadOnlyDictionary<string, string> Labels,
    ResourcesDto Capacity,
    IReadOnlyList<GpuDto> Gpus,
    HostState State,
    DateTimeOffset RegisteredAt,
    DateTimeOffset LastSeenAt,
    DateTimeOffset StateChangedAt,
    DateTimeOffset? DrainDeadline,
    ResourcesDto? Available,
    ResourcesDto Allocated,
    IReadOnlyList<HostInstanceDto> EngineInstances);

/// <summary>The last status report of a host as received, and what the controller answered.</summary>
public sealed record HostStatusDto(Guid HostId, HostState State, DateTimeOffset? ReceivedAt, JsonElement? Report, JsonElement? Answer);
