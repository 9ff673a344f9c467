using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Controller.Agent.Drivers.Process;

/// <summary>
/// Runs each engine copy as a child process in a session and process group of its own (<c>setsid</c>), with the
/// launch's environment over the agent's (less the agent's own settings), standard output and error appended to a log
/// file per instance (cut to its last half past <see cref="LogMaxBytes"/>), CPU and memory limited by cgroups where
/// the machine allows it. A state file per instance (pid and the process's start time) lets a restarted agent find
/// its processes again, which keep running while the agent is down.
/// </summary>
public sealed partial class ProcessDriver : IEngineDriver
{
    public const long LogMaxBytes = 10 * 1024 * 1024;

    // The wrapper joins the instance's cgroups, sends its output to the log, then becomes the engine (same pid).
    private const string Wrapper = """
        log=$1; shift; procs=$1; shift
        for f in $procs; do echo $$ > "$f" 2>/dev/null; done
        exec "$@" >>"$log" 2>&1 </dev/null
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private readonly string _directory;
    private readonly CgroupLimits _cgroups;
    private readonly TimeProvider _clock;
    private readonly ILogger<ProcessDriver> _logger;
    private readonly ConcurrentDictionary<Guid, Entry> _entries = new();

    public ProcessDriver(string dataDirectory, CgroupLimits cgroups, TimeProvider clock, ILogger<ProcessDriver> logger)
    {
        _directory = Path.Combine(dataDirectory, "engines");
        _cgroups = cgroups;
        _clock = clock;
        _logger = logger;
        Directory.CreateDirectory(_directory);
        foreach (var file in Directory.EnumerateFiles(_directory, "*.json"))
        {
            try
            {
                var state = JsonSerializer.Deserialize<ProcessState>(File.ReadAllText(file), Json);
                if (state is not null)
                {
                    _entries[state.InstanceId] = new Entry(state, null);
                    LogAdopted(_logger, state.InstanceId, state.Pid);
                }
            }
            catch (JsonException e)
            {
                LogBadState(_logger, file, e.Message);
            }
        }
    }

    public string Isolation => _cgroups.Mode;

    public Task<IReadOnlyList<ManagedEngine>> ListAsync(CancellationToken cancellationToken)
    {
        var now = _clock.GetTimestamp();
        var list = new List<ManagedEngine>(_entries.Count);
        foreach (var entry in _entries.Values)
        {
            list.Add(Observe(entry, now));
            CapLog(entry.State.LogPath);
        }

        return Task.FromResult<IReadOnlyList<ManagedEngine>>(list);
    }

    public Task StartAsync(EngineLaunch launch, CancellationToken cancellationToken)
    {
        if (_entries.ContainsKey(launch.InstanceId))
        {
            return Task.CompletedTask;
        }

        var logPath = Path.Combine(_directory, $"{launch.InstanceId}.log");
        var state = new ProcessState(launch.InstanceId, launch.EngineId, 0, 0, launch.CpuMillicores, launch.MemoryMiB, [.. launch.GpuIndexes],
            launch.StopGraceSeconds, logPath, null);
        if (launch.Command is not { Count: > 0 } command)
        {
            return Failed(state, "The engine has no 'command': the process driver needs the program to run (set 'command' on the engine).");
        }

        var procs = _cgroups.Create(launch.InstanceId, launch.CpuMillicores, launch.MemoryMiB);
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false, WorkingDirectory = _directory };
        foreach (var arg in (string[])["sh", "-c", Wrapper, "sh", logPath, string.Join(' ', procs)])
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var arg in command)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("Agent__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name); // the agent's settings (its registration token among them) are not the engine's
        }

        var gpus = string.Join(',', launch.GpuIndexes.Select(i => i.ToString(CultureInfo.InvariantCulture)));
        start.Environment["CUDA_VISIBLE_DEVICES"] = gpus;
        start.Environment["NVIDIA_VISIBLE_DEVICES"] = gpus.Length > 0 ? gpus : "none";
        foreach (var (name, value) in launch.Environment)
        {
            start.Environment[name] = value;
        }

        System.Diagnostics.Process process;
        try
        {
            process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("setsid did not start.");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return Failed(state, $"The process could not be started: {e.Message}");
        }

        var stat = Posix.ReadStat(process.Id);
        state = state with { Pid = process.Id, StartTicks = stat?.StartTicks ?? 0 };
        Save(state);
        _entries[launch.InstanceId] = new Entry(state, process);
        LogStarted(_logger, launch.InstanceId, process.Id, command[0]);
        return Task.CompletedTask;
    }

    public Task StopAsync(Guid instanceId, TimeSpan grace, CancellationToken cancellationToken)
    {
        if (!_entries.TryGetValue(instanceId, out var entry) || entry.Stopping is not null || !IsAlive(entry))
        {
            return Task.CompletedTask;
        }

        var pid = entry.State.Pid;
        Posix.SignalGroup(pid, Posix.SigTerm);
        LogStopping(_logger, instanceId, pid, grace.TotalSeconds);
        entry.Stopping = Task.Run(async () =>
        {
            var deadline = _clock.GetUtcNow() + grace;
            while (IsAlive(entry) && _clock.GetUtcNow() < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), _clock, CancellationToken.None);
            }

            if (IsAlive(entry))
            {
                Posix.SignalGroup(pid, Posix.SigKill);
                LogKilled(_logger, instanceId, pid);
            }
        }, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task ForgetAsync(Guid instanceId, CancellationToken cancellationToken)
    {
        if (_entries.TryGetValue(instanceId, out var entry) && !IsAlive(entry) && _entries.TryRemove(instanceId, out _))
        {
            File.Delete(StatePath(instanceId));
            File.Delete(entry.State.LogPath);
            _cgroups.Remove(instanceId);
            entry.Process?.Dispose();
        }

        return Task.CompletedTask;
    }

    /// <summary>The pid of a managed copy that runs, or null (for tests and logs).</summary>
    public int? PidOf(Guid instanceId) => _entries.TryGetValue(instanceId, out var entry) && IsAlive(entry) ? entry.State.Pid : null;

    private static bool IsAlive(Entry entry)
    {
        if (entry.State.Pid <= 0)
        {
            return false;
        }

        if (entry.Process is { } process)
        {
            return !process.HasExited;
        }

        // Adopted after a restart: alive while a process with that pid and start time exists and is not a zombie.
        return Posix.ReadStat(entry.State.Pid) is { } stat && stat.StartTicks == entry.State.StartTicks && stat.State != 'Z';
    }

    private ManagedEngine Observe(Entry entry, long now)
    {
        var s = entry.State;
        var containerId = $"pid-{s.Pid}";
        if (!IsAlive(entry))
        {
            int? exitCode = entry.Process is { HasExited: true } p ? p.ExitCode : s.ExitCode;
            return new ManagedEngine(s.InstanceId, s.EngineId, containerId, EngineRunState.Exited, exitCode, null, null,
                s.CpuMillicores, s.MemoryMiB, s.GpuIndexes, s.StopGraceSeconds, s.Message);
        }

        double? cpuPercent = null;
        if (Posix.ReadStat(s.Pid) is { } stat)
        {
            if (entry.LastCpu is { } last && now > last.Timestamp)
            {
                var seconds = _clock.GetElapsedTime(last.Timestamp, now).TotalSeconds;
                cpuPercent = Math.Round((stat.CpuTicks - last.Ticks) / Posix.TicksPerSecond / seconds * 100, 1);
            }

            entry.LastCpu = (now, stat.CpuTicks);
        }

        return new ManagedEngine(s.InstanceId, s.EngineId, containerId, EngineRunState.Running, null, cpuPercent, Posix.ReadRssMiB(s.Pid),
            s.CpuMillicores, s.MemoryMiB, s.GpuIndexes, s.StopGraceSeconds);
    }

    private Task Failed(ProcessState state, string message)
    {
        LogStartFailed(_logger, state.InstanceId, message);
        state = state with { ExitCode = 127, Message = message };
        Save(state);
        _entries[state.InstanceId] = new Entry(state, null);
        return Task.CompletedTask;
    }

    private void Save(ProcessState state)
    {
        var path = StatePath(state.InstanceId);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(state, Json));
        File.Move(temporary, path, overwrite: true);
    }

    private string StatePath(Guid instanceId) => Path.Combine(_directory, $"{instanceId}.json");

    /// <summary>Past the cap, the log keeps its last half (the engine appends, so it carries on at the new end).</summary>
    private static void CapLog(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists || info.Length <= LogMaxBytes)
            {
                return;
            }

            using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            var keep = new byte[LogMaxBytes / 2];
            stream.Seek(-keep.Length, SeekOrigin.End);
            stream.ReadExactly(keep);
            stream.SetLength(0);
            stream.Write(keep);
        }
        catch (IOException)
        {
            // tried again at the next report
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Found engine {InstanceId} (pid {Pid}) from before the agent's restart.")]
    private static partial void LogAdopted(ILogger logger, Guid instanceId, int pid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignoring unreadable engine state {File}: {Error}")]
    private static partial void LogBadState(ILogger logger, string file, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Started engine {InstanceId} as pid {Pid} ({Program}).")]
    private static partial void LogStarted(ILogger logger, Guid instanceId, int pid, string program);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Engine {InstanceId} could not start: {Message}")]
    private static partial void LogStartFailed(ILogger logger, Guid instanceId, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping engine {InstanceId} (pid {Pid}): SIGTERM, SIGKILL after {GraceSeconds} s.")]
    private static partial void LogStopping(ILogger logger, Guid instanceId, int pid, double graceSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Engine {InstanceId} (pid {Pid}) did not stop within its grace: killed.")]
    private static partial void LogKilled(ILogger logger, Guid instanceId, int pid);

    private sealed class Entry(ProcessState state, System.Diagnostics.Process? process)
    {
        public ProcessState State { get; } = state;

        public System.Diagnostics.Process? Process { get; } = process;

        public Task? Stopping { get; set; }

        public (long Timestamp, long Ticks)? LastCpu { get; set; }
    }

    /// <summary>What survives an agent restart: which process is which instance, and what it was given.</summary>
    private sealed record ProcessState(
        Guid InstanceId,
        Guid EngineId,
        int Pid,
        long StartTicks,
        int CpuMillicores,
        int MemoryMiB,
        List<int> GpuIndexes,
        int StopGraceSeconds,
        string LogPath,
        int? ExitCode,
        string? Message = null);
}
