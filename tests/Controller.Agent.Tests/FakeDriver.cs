using Controller.Agent.Drivers;

namespace Controller.Agent.Tests;

/// <summary>A driver that runs nothing: it keeps the engines it was told to start and records every call.</summary>
internal sealed class FakeDriver : IEngineDriver
{
    public List<ManagedEngine> Engines { get; } = [];

    public List<EngineLaunch> Started { get; } = [];

    public List<(Guid InstanceId, TimeSpan Grace)> Stopped { get; } = [];

    public List<Guid> Forgotten { get; } = [];

    /// <summary>When true, a stopped engine exits at once (else it keeps running, as one that ignores the signal).</summary>
    public bool StopsAtOnce { get; set; } = true;

    public string Isolation => "fake";

    public Task<IReadOnlyList<ManagedEngine>> ListAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<ManagedEngine>>([.. Engines]);

    public Task StartAsync(EngineLaunch launch, CancellationToken cancellationToken)
    {
        Started.Add(launch);
        Engines.Add(Running(launch.InstanceId, launch.StopGraceSeconds));
        return Task.CompletedTask;
    }

    public Task StopAsync(Guid instanceId, TimeSpan grace, CancellationToken cancellationToken)
    {
        Stopped.Add((instanceId, grace));
        if (StopsAtOnce)
        {
            var index = Engines.FindIndex(e => e.InstanceId == instanceId);
            Engines[index] = Engines[index] with { State = EngineRunState.Exited, ExitCode = 143 };
        }

        return Task.CompletedTask;
    }

    public Task ForgetAsync(Guid instanceId, CancellationToken cancellationToken)
    {
        Forgotten.Add(instanceId);
        Engines.RemoveAll(e => e.InstanceId == instanceId);
        return Task.CompletedTask;
    }

    public static ManagedEngine Running(Guid instanceId, int graceSeconds = 30) =>
        new(instanceId, Guid.NewGuid(), $"pid-{instanceId.GetHashCode() & 0xffff}", EngineRunState.Running, null, 1.5, 100, 500, 256, [], graceSeconds);
}
