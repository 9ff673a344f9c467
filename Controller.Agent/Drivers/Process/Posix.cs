using System.Globalization;
using System.Runtime.InteropServices;

namespace Controller.Agent.Drivers.Process;

/// <summary>The few POSIX calls and /proc reads the process driver needs (Linux).</summary>
internal static partial class Posix
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    /// <summary>Clock ticks per second of /proc's times (USER_HZ, 100 on every Linux build in use).</summary>
    public const double TicksPerSecond = 100.0;

    /// <summary>Sends <paramref name="signal"/> to the process group led by <paramref name="pid"/> (the engine and its children).</summary>
    public static bool SignalGroup(int pid, int signal) => pid > 1 && Kill(-pid, signal) == 0;

    /// <summary>State letter, start time (ticks since boot) and CPU time used (ticks) of a process, or null when it is gone.</summary>
    public static (char State, long StartTicks, long CpuTicks)? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) S ppid ..." — comm may hold spaces and parentheses: fields start after the last ')'.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
        var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
        return (fields[0][0], long.Parse(fields[19], CultureInfo.InvariantCulture), utime + stime);
    }

    /// <summary>Resident memory of a process in MiB, or null.</summary>
    public static int? ReadRssMiB(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kb = long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                    return (int)(kb / 1024);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            // gone, or not readable
        }

        return null;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
