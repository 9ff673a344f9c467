namespace Controller.Agent.Drivers;

/// <summary>
/// Runs engine copies on this host. The status loop depends only on this: it lists what runs, starts what the
/// controller orders (once per instance id), stops what it is told to, and forgets what ended once told so.
/// A driver keeps its engines running when the agent stops, and finds them again when the agent starts.
/// </summary>
public interface IEngineDriver
{
    /// <summary>What this driver enforces of an engine's CPU and memory (for the log), e.g. "cgroup v2", "none".</summary>
    string Isolation { get; }

    /// <summary>Every engine this driver manages, running or ended (an ended one stays listed until forgotten).</summary>
    Task<IReadOnlyList<ManagedEngine>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Starts a copy. A copy that cannot start is listed as exited, with the reason.</summary>
    Task StartAsync(EngineLaunch launch, CancellationToken cancellationToken);

    /// <summary>Sends the stop signal, then kills after <paramref name="grace"/>; returns at once (the copy is listed until it is gone).</summary>
    Task StopAsync(Guid instanceId, TimeSpan grace, CancellationToken cancellationToken);

    /// <summary>Drops an ended copy (its container or state); it is no longer listed.</summary>
    Task ForgetAsync(Guid instanceId, CancellationToken cancellationToken);
}

/// <summary>What a launch order asks this host to run.</summary>
public sealed record EngineLaunch(
    Guid InstanceId,
    Guid EngineId,
    string Image,
    IReadOnlyList<string>? Command,
    IReadOnlyDictionary<string, string> Environment,
    int CpuMillicores,
    int MemoryMiB,
    IReadOnlyList<int> GpuIndexes,
    int StopGraceSeconds);

public enum EngineRunState
{
    Created,
    Running,
    Exited,
}

/// <summary>One managed copy as the driver sees it now.</summary>
public sealed record ManagedEngine(
    Guid InstanceId,
    Guid EngineId,
    string ContainerId,
    EngineRunState State,
    int? ExitCode,
    double? CpuPercent,
    int? MemoryMiB,
    int CpuMillicores,
    int ReservedMemoryMiB,
    IReadOnlyList<int> GpuIndexes,
    int StopGraceSeconds,
    string? Message = null)
{
    public bool IsUp => State != EngineRunState.Exited;
}
