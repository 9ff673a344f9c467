using System.Text.Json;
using System.Text.Json.Serialization;

namespace Controller.Api.Contracts;

/// <summary>A host's state: active → draining → drained (→ active); any live state → terminating → terminated; lost while silent.</summary>
public enum HostState
{
    Active,
    Draining,
    Drained,
    Terminating,
    Terminated,
    Lost,
}

/// <summary>What the agent must do: <c>continue</c>, <c>drain</c> or <c>terminate</c> (shut the host down).</summary>
public enum HostMode
{
    Continue,
    Drain,
    Terminate,
}

/// <summary>The state of a container as the agent reports it.</summary>
public enum ContainerState
{
    Created,
    Running,
    Exited,
}

/// <summary>
/// Body of POST /host/register: the host's identity, labels, capacity and the managed containers already running.
/// Lenient: fields this version does not know are ignored (agents may be newer).
/// </summary>
[ValidatedAs(typeof(Application.Hosts.Commands.RegisterHost.RegisterHostCommand))]
public sealed record RegisterHostRequest(
    string? MachineId,
    string? Hostname,
    IReadOnlyList<string>? IpAddresses,
    string? AgentVersion,
    IReadOnlyDictionary<string, string>? Labels,
    CapacityRequest? Capacity,
    IReadOnlyList<ContainerReport>? Containers);

/// <summary>A host's total capacity as the agent registers it.</summary>
[ValidatedAs(typeof(Application.Hosts.Models.CapacityModel))]
public sealed record CapacityRequest(int? CpuMillicores, int? MemoryMiB, int? GpuCount, int? DiskMiB, IReadOnlyList<GpuRequest>? Gpus);

/// <summary>One GPU of a host as the agent registers it.</summary>
[ValidatedAs(typeof(Application.Hosts.Models.GpuModel))]
public sealed record GpuRequest(int? Index, string? Model, int? MemoryMiB);

/// <summary>One container the agent reports. Containers without an engine instance id are not managed and are ignored.</summary>
[ValidatedAs(typeof(Application.Hosts.Models.ContainerReportModel))]
public sealed record ContainerReport(string? ContainerId, Guid? EngineInstanceId, ContainerState? State, int? ExitCode, double? CpuPercent, int? MemoryMiB);

/// <summary>Body of POST /host/{hostId}/updatestatus. Lenient: fields this version does not know are ignored (agents may be newer).</summary>
[ValidatedAs(typeof(Application.Hosts.Commands.UpdateHostStatus.UpdateHostStatusCommand))]
public sealed record UpdateStatusRequest(ResourcesRequest? Available, IReadOnlyList<ContainerReport>? Containers);

/// <summary>Optional body of POST /host/{hostId}/drain.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
[ValidatedAs(typeof(Application.Hosts.Commands.DrainHost.DrainHostCommand))]
public sealed record DrainRequest(int? DeadlineSeconds);

/// <summary>The answer to a registration: the host's id, its token (only when it was created), and when to report.</summary>
public sealed record RegisterHostResponse(Guid HostId, string? Token, int StatusIntervalSeconds, HostState State, bool Created);

/// <summary>
/// The controller's answer to a status report. Level-triggered: every order is repeated until the agent's reports
/// show it done (or it times out); the agent de-duplicates by engine instance id.
/// </summary>
public sealed record HostStatusResponse(HostMode Mode, int StatusIntervalSeconds, IReadOnlyList<LaunchOrder> Launch, IReadOnlyList<TerminateOrder> Terminate);

/// <summary>
/// Start a container: the instance's id, its engine, image, command (null: the image's own), resources, GPU indexes,
/// environment (the engine's settings and the controller's variables, with the instance's token) and the stop grace
/// to keep when it is told to terminate.
/// </summary>
public sealed record LaunchOrder(
    Guid EngineInstanceId,
    Guid EngineId,
    string Image,
    ResourcesResponse Resources,
    IReadOnlyList<int> GpuIndexes,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<string>? Command,
    int StopGraceSeconds);

/// <summary>Remove a container, and why: the stop signal (SIGTERM), then a kill after stopGraceSeconds.</summary>
public sealed record TerminateOrder(Guid? EngineInstanceId, string? ContainerId, string Reason, int StopGraceSeconds);

/// <summary>A host in a listing.</summary>
public sealed record HostSummaryResponse(
    Guid HostId,
    string MachineId,
    string Hostname,
    HostState State,
    IReadOnlyDictionary<string, string> Labels,
    DateTimeOffset RegisteredAt,
    DateTimeOffset LastSeenAt);

/// <summary>One GPU of a host.</summary>
public sealed record GpuResponse(int Index, string? Model, int? MemoryMiB);

/// <summary>An engine instance on a host; <c>displaced</c>: it runs on while its replacement starts elsewhere (its host drains, or its engine's labels no longer match the host).</summary>
public sealed record HostInstanceResponse(Guid EngineInstanceId, Guid EngineId, string State, bool Displaced, string? ContainerId, ResourcesResponse Resources, IReadOnlyList<int> GpuIndexes);

/// <summary>Everything about one host.</summary>
public sealed record HostDetailResponse(
    Guid HostId,
    string MachineId,
    string Hostname,
    IReadOnlyList<string> IpAddresses,
    string? AgentVersion,
    IReadOnlyDictionary<string, string> Labels,
    ResourcesResponse Capacity,
    IReadOnlyList<GpuResponse> Gpus,
    HostState State,
    DateTimeOffset RegisteredAt,
    DateTimeOffset LastSeenAt,
    DateTimeOffset StateChangedAt,
    DateTimeOffset? DrainDeadline,
    ResourcesResponse? Available,
    ResourcesResponse Allocated,
    IReadOnlyList<HostInstanceResponse> EngineInstances);

/// <summary>
/// A host's last status report and the controller's answer (without secrets), as stored when they last changed;
/// <c>receivedAt</c> is when the host last reported (within a second); the stored answer's <c>statusIntervalSeconds</c>
/// is the interval before its per-answer jitter.
/// </summary>
public sealed record HostStatusReportResponse(Guid HostId, HostState State, DateTimeOffset? ReceivedAt, JsonElement? Report, JsonElement? Answer);

/// <summary>A rotated host token: the new secret (shown once) and when the previous tokens stop working at the latest.</summary>
public sealed record RotatedHostTokenResponse(Guid HostId, Guid TokenId, string Token, DateTimeOffset PreviousTokensExpireAt);
