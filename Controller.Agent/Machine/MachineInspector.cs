using System.Diagnostics;
using System.Globalization;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Controller.Agent.Machine;

/// <summary>
/// Finds what the machine has: machine id (<c>/etc/machine-id</c>), hostname, addresses, CPU (the cgroup's quota if
/// any, else cores × 1000), memory (<c>/proc/meminfo</c>, or the cgroup's limit when lower), the disk of the data
/// directory, and GPUs (<c>nvidia-smi</c> when present, none otherwise).
/// </summary>
public sealed partial class MachineInspector(string dataDirectory, ILogger<MachineInspector> logger)
{
    private const long Unlimited = long.MaxValue / 2;
    private IReadOnlyList<GpuFact>? _gpus;

    public MachineFacts Inspect()
    {
        var drive = new DriveInfo(Path.GetFullPath(dataDirectory));
        return new MachineFacts(
            MachineId(),
            Environment.MachineName,
            Addresses(),
            CpuMillicores(),
            MemoryMiB(),
            (int)Math.Min(int.MaxValue, drive.TotalSize / (1024 * 1024)),
            (int)Math.Min(int.MaxValue, drive.AvailableFreeSpace / (1024 * 1024)),
            _gpus ??= Gpus());
    }

    private static string MachineId()
    {
        foreach (var path in (string[])["/etc/machine-id", "/var/lib/dbus/machine-id"])
        {
            if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } id)
            {
                return id;
            }
        }

        return Environment.MachineName;
    }

    private static List<string> Addresses() =>
        [.. NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Where(a => a.Address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6 && !a.Address.IsIPv6LinkLocal)
            .Select(a => a.Address.ToString())
            .Distinct()
            .Take(32)];

    /// <summary>The cgroup's CPU quota when one is set (v2 cpu.max, v1 cfs quota/period), else the cores.</summary>
    private static int CpuMillicores()
    {
        var cores = Environment.ProcessorCount * 1000;
        var v2 = ReadCgroup("0", null, "cpu.max")?.Split(' ');
        if (v2 is [var max, var period] && max != "max")
        {
            return (int)Math.Min(cores, long.Parse(max, CultureInfo.InvariantCulture) * 1000 / long.Parse(period, CultureInfo.InvariantCulture));
        }

        if (ReadCgroup(null, "cpu", "cpu.cfs_quota_us") is { } quota && long.Parse(quota, CultureInfo.InvariantCulture) > 0
            && ReadCgroup(null, "cpu", "cpu.cfs_period_us") is { } cfsPeriod)
        {
            return (int)Math.Min(cores, long.Parse(quota, CultureInfo.InvariantCulture) * 1000 / long.Parse(cfsPeriod, CultureInfo.InvariantCulture));
        }

        return cores;
    }

    /// <summary>MemTotal, or the cgroup's memory limit when lower.</summary>
    private static int MemoryMiB()
    {
        var total = Unlimited;
        foreach (var line in File.ReadLines("/proc/meminfo"))
        {
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
            {
                total = long.Parse(line[9..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        foreach (var limit in (string?[])[ReadCgroup("0", null, "memory.max"), ReadCgroup(null, "memory", "memory.limit_in_bytes")])
        {
            if (limit is not null && limit != "max" && long.TryParse(limit, CultureInfo.InvariantCulture, out var bytes) && bytes < total)
            {
                total = bytes;
            }
        }

        return (int)Math.Min(int.MaxValue, total / (1024 * 1024));
    }

    /// <summary>A file of the agent's own cgroup (v2 when <paramref name="hierarchyId"/> is "0", else the v1 controller's).</summary>
    private static string? ReadCgroup(string? hierarchyId, string? controller, string file)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/cgroup"))
            {
                var parts = line.Split(':', 3);
                if (parts.Length != 3)
                {
                    continue;
                }

                string? directory = null;
                if (hierarchyId is not null && parts[0] == hierarchyId && parts[1].Length == 0)
                {
                    directory = "/sys/fs/cgroup" + parts[2];
                }
                else if (controller is not null && parts[1].Split(',').Contains(controller))
                {
                    directory = $"/sys/fs/cgroup/{controller}{parts[2]}";
                }

                if (directory is not null && File.Exists(Path.Combine(directory, file)))
                {
                    return File.ReadAllText(Path.Combine(directory, file)).Trim();
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // no cgroup information: the machine's own figures stand
        }

        return null;
    }

    private List<GpuFact> Gpus()
    {
        var start = new ProcessStartInfo("nvidia-smi", ["--query-gpu=index,name,memory.total", "--format=csv,noheader,nounits"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        try
        {
            using var process = System.Diagnostics.Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit(10_000);
            var gpus = ParseNvidiaSmi(output);
            LogGpus(logger, gpus.Count);
            return gpus;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return []; // no nvidia-smi: no GPUs
        }
    }

    /// <summary>Lines "0, NVIDIA A10, 24576" from <c>nvidia-smi --query-gpu=index,name,memory.total --format=csv,noheader,nounits</c>.</summary>
    public static List<GpuFact> ParseNvidiaSmi(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(',', StringSplitOptions.TrimEntries))
            .Where(f => f.Length == 3 && int.TryParse(f[0], CultureInfo.InvariantCulture, out _))
            .Select(f => new GpuFact(int.Parse(f[0], CultureInfo.InvariantCulture), f[1],
                int.TryParse(f[2], CultureInfo.InvariantCulture, out var memory) ? memory : 0))];

    [LoggerMessage(Level = LogLevel.Information, Message = "nvidia-smi lists {Count} GPU(s).")]
    private static partial void LogGpus(ILogger logger, int count);
}
