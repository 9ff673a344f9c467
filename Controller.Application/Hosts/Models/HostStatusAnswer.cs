using Controller.Application.Common.Models;

namespace Controller.Application.Hosts.Models;

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
public sealed record HostStatusAnswer(HostMode Mode, int StatusIntervalSeconds, IReadOnlyList<LaunchOrder> Launch, IReadOnlyList<TerminateOrder> Terminate)
{
    /// <summary>The environment variable that carries an engine instance's secret.</summary>
    public const string InstanceTokenVariable = "ENGINE_INSTANCE_TOKEN";

    /// <summary>The same orders without any secret: what is stored and shown by <c>GET /host/{id}/status</c>.</summary>
    public HostStatusAnswer WithoutSecrets() => this with
    {
        Launch = [.. Launch.Select(l => l with
        {
            Environment = l.Environment.Where(e => e.Key != InstanceTokenVariable).ToDictionary(e => e.Key, e => e.Value),
        })],
    };
}

/// <summary>Start a copy: what it runs (image, command or null for the image's own, environment) and how it is stopped.</summary>
public sealed record LaunchOrder(
    Guid EngineInstanceId,
    Guid EngineId,
    string Image,
    ResourcesDto Resources,
    IReadOnlyList<int> GpuIndexes,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<string>? Command = null,
    int StopGraceSeconds = Domain.Engines.EngineRuntime.DefaultStopGraceSeconds);

/// <summary>Stop a copy: the stop signal, then a kill after <paramref name="StopGraceSeconds"/>.</summary>
public sealed record TerminateOrder(Guid? EngineInstanceId, string? ContainerId, string Reason,
    int StopGraceSeconds = Domain.Engines.EngineRuntime.DefaultStopGraceSeconds);
