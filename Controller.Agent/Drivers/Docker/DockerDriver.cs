using System.Collections.Concurrent;
using System.Globalization;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;

namespace Controller.Agent.Drivers.Docker;

/// <summary>
/// Runs each engine copy as a Docker container through the Docker Engine API: the image (pulled only when absent; a
/// failed pull is reported as an exited container with its message), the engine's command (over the image's), the
/// launch's environment, CPU and memory limits, GPU device requests for the given indexes, labels that name the
/// instance and the engine (how a restarted agent finds its containers again), and the configured network mode.
/// </summary>
public sealed partial class DockerDriver : IEngineDriver, IDisposable
{
    public const string InstanceLabel = "dev.controller.instance-id";
    public const string EngineLabel = "dev.controller.engine-id";
    private const string CpuLabel = "dev.controller.cpu-millicores";
    private const string MemoryLabel = "dev.controller.memory-mib";
    private const string GpusLabel = "dev.controller.gpu-indexes";
    private const string GraceLabel = "dev.controller.stop-grace-seconds";

    private readonly DockerClient _docker;
    private readonly DockerSettings _settings;
    private readonly TimeProvider _clock;
    private readonly ILogger<DockerDriver> _logger;
    private readonly ConcurrentDictionary<Guid, ManagedEngine> _failed = new();
    private readonly ConcurrentDictionary<string, (long Timestamp, ulong Usage)> _lastCpu = new();
    private readonly ConcurrentDictionary<Guid, Task> _stopping = new();

    public DockerDriver(IOptions<AgentOptions> options, TimeProvider clock, ILogger<DockerDriver> logger)
    {
        _settings = options.Value.Docker;
        _clock = clock;
        _logger = logger;
        _docker = new DockerClientBuilder().WithEndpoint(_settings.Endpoint).Build();
    }

    public string Isolation => "docker";

    public async Task<IReadOnlyList<ManagedEngine>> ListAsync(CancellationToken cancellationToken)
    {
        var containers = await _docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [InstanceLabel] = true } },
        }, cancellationToken);
        var list = new List<ManagedEngine>(containers.Count + _failed.Count);
        foreach (var container in containers)
        {
            var labels = container.Labels ?? new Dictionary<string, string>();
            if (!Guid.TryParse(Label(labels, InstanceLabel), out var instanceId))
            {
                continue;
            }

            var state = container.State switch
            {
                "running" or "paused" or "restarting" => EngineRunState.Running,
                "created" => EngineRunState.Created,
                _ => EngineRunState.Exited,
            };
            int? exitCode = null;
            double? cpu = null;
            int? memory = null;
            if (state == EngineRunState.Exited)
            {
                var inspected = await _docker.Containers.InspectContainerAsync(container.ID, cancellationToken);
                exitCode = inspected.State is { } exited ? (int)exited.ExitCode : null;
            }
            else if (state == EngineRunState.Running)
            {
                (cpu, memory) = await StatsAsync(container.ID, cancellationToken);
            }

            list.Add(new ManagedEngine(instanceId, Guid.TryParse(Label(labels, EngineLabel), out var engineId) ? engineId : Guid.Empty,
                container.ID, state, exitCode, cpu, memory, Int(labels, CpuLabel), Int(labels, MemoryLabel),
                Gpus(Label(labels, GpusLabel)), Int(labels, GraceLabel)));
        }

        list.AddRange(_failed.Values.Where(f => list.TrueForAll(e => e.InstanceId != f.InstanceId)));
        return list;
    }

    public async Task StartAsync(EngineLaunch launch, CancellationToken cancellationToken)
    {
        if (_failed.ContainsKey(launch.InstanceId) || (await FindAsync(launch.InstanceId, cancellationToken)) is not null)
        {
            return;
        }

        try
        {
            await EnsureImageAsync(launch.Image, cancellationToken);
            var gpus = string.Join(',', launch.GpuIndexes.Select(i => i.ToString(CultureInfo.InvariantCulture)));
            var created = await _docker.Containers.CreateContainerAsync(new CreateContainerParameters
            {
                Name = $"engine-{launch.InstanceId:N}",
                Image = launch.Image,
                Cmd = launch.Command is { Count: > 0 } command ? [.. command] : null,
                Env = [.. launch.Environment.Select(e => $"{e.Key}={e.Value}"), $"CUDA_VISIBLE_DEVICES={gpus}"],
                Labels = new Dictionary<string, string>
                {
                    [InstanceLabel] = launch.InstanceId.ToString(),
                    [EngineLabel] = launch.EngineId.ToString(),
                    [CpuLabel] = launch.CpuMillicores.ToString(CultureInfo.InvariantCulture),
                    [MemoryLabel] = launch.MemoryMiB.ToString(CultureInfo.InvariantCulture),
                    [GpusLabel] = gpus,
                    [GraceLabel] = launch.StopGraceSeconds.ToString(CultureInfo.InvariantCulture),
                },
                StopTimeout = TimeSpan.FromSeconds(launch.StopGraceSeconds),
                HostConfig = new HostConfig
                {
                    NetworkMode = _settings.NetworkMode,
                    NanoCPUs = launch.CpuMillicores * 1_000_000L,
                    Memory = launch.MemoryMiB * 1024L * 1024L,
                    DeviceRequests = launch.GpuIndexes.Count == 0 ? null :
                        [new DeviceRequest { Driver = "nvidia", DeviceIDs = [.. launch.GpuIndexes.Select(i => i.ToString(CultureInfo.InvariantCulture))], Capabilities = [["gpu"]] }],
                },
            }, cancellationToken);
            await _docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), cancellationToken);
            LogStarted(_logger, launch.InstanceId, created.ID[..12], launch.Image);
        }
        catch (DockerApiException e)
        {
            var message = $"Docker refused the container: {e.Message}";
            LogStartFailed(_logger, launch.InstanceId, message);
            _failed[launch.InstanceId] = new ManagedEngine(launch.InstanceId, launch.EngineId, $"failed-{launch.InstanceId:N}", EngineRunState.Exited, 125,
                null, null, launch.CpuMillicores, launch.MemoryMiB, launch.GpuIndexes, launch.StopGraceSeconds, message);
        }
    }

    public async Task StopAsync(Guid instanceId, TimeSpan grace, CancellationToken cancellationToken)
    {
        if (_stopping.ContainsKey(instanceId) || await FindAsync(instanceId, cancellationToken) is not { } container || container.State != "running")
        {
            return;
        }

        LogStopping(_logger, instanceId, grace.TotalSeconds);
        // Docker sends the stop signal, then kills after the grace; the copy is listed until it has exited.
        _stopping[instanceId] = Task.Run(async () =>
        {
            try
            {
                await _docker.Containers.StopContainerAsync(container.ID, new ContainerStopParameters { WaitBeforeKillSeconds = (uint)grace.TotalSeconds }, CancellationToken.None);
            }
            catch (DockerApiException e)
            {
                LogStopFailed(_logger, instanceId, e.Message);
            }
            finally
            {
                _stopping.TryRemove(instanceId, out _);
            }
        }, CancellationToken.None);
    }

    public async Task ForgetAsync(Guid instanceId, CancellationToken cancellationToken)
    {
        _failed.TryRemove(instanceId, out _);
        if (await FindAsync(instanceId, cancellationToken) is { } container && container.State is not ("running" or "restarting"))
        {
            await _docker.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true }, cancellationToken);
            _lastCpu.TryRemove(container.ID, out _);
        }
    }

    public void Dispose() => _docker.Dispose();

    private async Task<ContainerListResponse?> FindAsync(Guid instanceId, CancellationToken cancellationToken) =>
        (await _docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{InstanceLabel}={instanceId}"] = true } },
        }, cancellationToken)).FirstOrDefault();

    private async Task EnsureImageAsync(string image, CancellationToken cancellationToken)
    {
        try
        {
            await _docker.Images.InspectImageAsync(image, cancellationToken);
        }
        catch (DockerImageNotFoundException)
        {
            LogPulling(_logger, image);
            await _docker.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = image }, null, new Progress<JSONMessage>(), cancellationToken);
        }
    }

    /// <summary>CPU % since the previous report (one-shot stats carry no previous sample) and memory in use.</summary>
    private async Task<(double? Cpu, int? MemoryMiB)> StatsAsync(string containerId, CancellationToken cancellationToken)
    {
        ContainerStatsResponse? stats = null;
        await _docker.Containers.GetContainerStatsAsync(containerId, new ContainerStatsParameters { Stream = false, OneShot = true },
            new Progress<ContainerStatsResponse>(s => stats = s), cancellationToken);
        if (stats is null)
        {
            return (null, null);
        }

        var now = _clock.GetTimestamp();
        double? cpu = null;
        var usage = stats.CPUStats?.CPUUsage?.TotalUsage ?? 0;
        if (_lastCpu.TryGetValue(containerId, out var last) && usage >= last.Usage)
        {
            cpu = Math.Round((usage - last.Usage) / 1e9 / _clock.GetElapsedTime(last.Timestamp, now).TotalSeconds * 100, 1);
        }

        _lastCpu[containerId] = (now, usage);
        return (cpu, stats.MemoryStats?.Usage is { } bytes ? (int)(bytes / (1024 * 1024)) : null);
    }

    private static string? Label(IDictionary<string, string> labels, string key) => labels.TryGetValue(key, out var value) ? value : null;

    private static int Int(IDictionary<string, string> labels, string key) =>
        int.TryParse(Label(labels, key), CultureInfo.InvariantCulture, out var value) ? value : 0;

    private static List<int> Gpus(string? value) =>
        [.. (value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries).Select(i => int.Parse(i, CultureInfo.InvariantCulture))];

    [LoggerMessage(Level = LogLevel.Information, Message = "Started engine {InstanceId} as container {ContainerId} ({Image}).")]
    private static partial void LogStarted(ILogger logger, Guid instanceId, string containerId, string image);

    [LoggerMessage(Level = LogLevel.Information, Message = "Image {Image} is not present: pulling it.")]
    private static partial void LogPulling(ILogger logger, string image);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Engine {InstanceId} could not start: {Message}")]
    private static partial void LogStartFailed(ILogger logger, Guid instanceId, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping engine {InstanceId}: stop signal, kill after {GraceSeconds} s.")]
    private static partial void LogStopping(ILogger logger, Guid instanceId, double graceSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Docker could not stop engine {InstanceId}: {Message}")]
    private static partial void LogStopFailed(ILogger logger, Guid instanceId, string message);
}
