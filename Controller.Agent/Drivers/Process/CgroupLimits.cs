using System.Globalization;

namespace Controller.Agent.Drivers.Process;

/// <summary>
/// CPU and memory limits for engine processes through cgroups: v2 (the unified hierarchy) or v1 (the cpu and memory
/// controllers), in a group of the agent's own (<c>controller-engines/&lt;instance&gt;</c>). Where neither can be
/// written (no permission, read-only /sys/fs/cgroup) limits are not enforced and <see cref="Mode"/> says <c>none</c>.
/// </summary>
public sealed class CgroupLimits
{
    private const string GroupName = "controller-engines";
    private const int CpuPeriodMicroseconds = 100_000;
    private readonly List<string> _parents = [];

    public CgroupLimits(string root = "/sys/fs/cgroup")
    {
        Mode = "none";
        try
        {
            if (File.Exists(Path.Combine(root, "cgroup.controllers")))
            {
                var parent = Path.Combine(root + OwnGroup("0", ""), GroupName);
                Directory.CreateDirectory(parent);
                TryWrite(Path.Combine(Path.GetDirectoryName(parent)!, "cgroup.subtree_control"), "+cpu +memory");
                TryWrite(Path.Combine(parent, "cgroup.subtree_control"), "+cpu +memory");
                _parents.Add(parent);
                Mode = "cgroup v2";
            }
            else if (Directory.Exists(Path.Combine(root, "cpu")) && Directory.Exists(Path.Combine(root, "memory")))
            {
                foreach (var controller in (string[])["cpu", "memory"])
                {
                    var parent = Path.Combine(Path.Combine(root, controller) + OwnGroup(null, controller), GroupName);
                    Directory.CreateDirectory(parent);
                    _parents.Add(parent);
                }

                Mode = "cgroup v1";
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _parents.Clear();
            Mode = "none";
        }
    }

    /// <summary><c>cgroup v2</c>, <c>cgroup v1</c> or <c>none</c> (limits not enforced).</summary>
    public string Mode { get; }

    /// <summary>Creates the groups of one instance with its limits; returns the <c>cgroup.procs</c> files its process joins (none when not enforced).</summary>
    public IReadOnlyList<string> Create(Guid instanceId, int cpuMillicores, int memoryMiB)
    {
        var procs = new List<string>();
        try
        {
            foreach (var parent in _parents)
            {
                var group = Path.Combine(parent, instanceId.ToString("N"));
                Directory.CreateDirectory(group);
                var quota = cpuMillicores > 0 ? ((long)cpuMillicores * CpuPeriodMicroseconds / 1000).ToString(CultureInfo.InvariantCulture) : null;
                var memory = memoryMiB > 0 ? ((long)memoryMiB * 1024 * 1024).ToString(CultureInfo.InvariantCulture) : null;
                if (Mode == "cgroup v2")
                {
                    TryWrite(Path.Combine(group, "cpu.max"), $"{quota ?? "max"} {CpuPeriodMicroseconds}");
                    TryWrite(Path.Combine(group, "memory.max"), memory ?? "max");
                }
                else if (parent.Contains("/cpu/", StringComparison.Ordinal))
                {
                    TryWrite(Path.Combine(group, "cpu.cfs_period_us"), CpuPeriodMicroseconds.ToString(CultureInfo.InvariantCulture));
                    TryWrite(Path.Combine(group, "cpu.cfs_quota_us"), quota ?? "-1");
                }
                else if (memory is not null)
                {
                    TryWrite(Path.Combine(group, "memory.limit_in_bytes"), memory);
                }

                procs.Add(Path.Combine(group, "cgroup.procs"));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }

        return procs;
    }

    /// <summary>Removes an ended instance's groups (a group with a process left in it stays).</summary>
    public void Remove(Guid instanceId)
    {
        foreach (var parent in _parents)
        {
            try
            {
                Directory.Delete(Path.Combine(parent, instanceId.ToString("N")));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // already gone, or still in use
            }
        }
    }

    /// <summary>The agent's own group in a hierarchy, from /proc/self/cgroup ("0::/path" for v2, "N:cpu,cpuacct:/path" for v1).</summary>
    private static string OwnGroup(string? hierarchyId, string controller)
    {
        foreach (var line in File.ReadLines("/proc/self/cgroup"))
        {
            var parts = line.Split(':', 3);
            if (parts.Length == 3 && (parts[0] == hierarchyId || (hierarchyId is null && parts[1].Split(',').Contains(controller))))
            {
                return parts[2] == "/" ? string.Empty : parts[2];
            }
        }

        return string.Empty;
    }

    private static bool TryWrite(string path, string value)
    {
        try
        {
            File.WriteAllText(path, value);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
