using Controller.Application.Common.Models;

namespace Controller.Application.Hosts.Commands.UpdateHostStatus;

/// <summary>What the agent must do: <c>continue</c>, <c>drain</c> or <c>terminate</c> (shut the host down).</summary>
public enum HostMode
{
    Continue,
    Drain,
    Terminate,
}

/// <summary>
/// The controller's answer to a status report. Level-triggered: every order is repeated until the
/// agent's reports show it done (or it times out); the agent de-duplicates by engine instance id.
/// </summary>
public sealed record HostStatusAnswer(HostMode Mode, int StatusIntervalSeconds, IReadOnlyList<LaunchOrder> Launch, IReadOnlyList<TerminateOrder> Terminate);

public sealed record LaunchOrder(
    Guid EngineInstanceId,
    Guid EngineId,
    string Image,
    ResourcesDto Resources,
    IReadOnlyList<int> GpuIndexes,
    IReadOnlyDictionary<string, string> Environment);

public sealed record TerminateOrder(Guid? EngineInstanceId, string? ContainerId, string Reason);
