namespace Controller.Domain.Scheduling;

/// <summary>A copy that failed: where, of which engine, since when it had run (if it ever did) and when it failed.</summary>
public sealed record FailedCopy(Guid EngineId, Guid HostId, DateTimeOffset? RunningSince, DateTimeOffset FailedAt);

/// <summary>
/// Hosts where an engine kept crashing are avoided for it: a copy that failed before it ran healthy counts (a crash
/// loop there), one that had run healthy does not (bad luck, as the engine's back-off sees it). The scheduler launches
/// the engine on a host that avoids it only when no host with room is free of the avoidance.
/// </summary>
public static class HostAvoidance
{
    /// <summary>The engines with at least <paramref name="failuresToAvoid"/> counted failures on <paramref name="hostId"/>.</summary>
    public static IReadOnlyList<Guid> AvoidedOn(Guid hostId, IEnumerable<FailedCopy> failures, int failuresToAvoid, TimeSpan healthyAfter) =>
        [.. Counted(failures, healthyAfter).Where(f => f.HostId == hostId).GroupBy(f => f.EngineId).Where(g => g.Count() >= failuresToAvoid).Select(g => g.Key)];

    /// <summary>Per engine, how many hosts avoid it (have at least <paramref name="failuresToAvoid"/> counted failures of it).</summary>
    public static IReadOnlyDictionary<Guid, int> HostsAvoiding(IEnumerable<FailedCopy> failures, int failuresToAvoid, TimeSpan healthyAfter) =>
        Counted(failures, healthyAfter)
            .GroupBy(f => (f.EngineId, f.HostId))
            .Where(g => g.Count() >= failuresToAvoid)
            .GroupBy(g => g.Key.EngineId)
            .ToDictionary(g => g.Key, g => g.Count());

    private static IEnumerable<FailedCopy> Counted(IEnumerable<FailedCopy> failures, TimeSpan healthyAfter) =>
        failures.Where(f => f.RunningSince is not { } since || f.FailedAt - since < healthyAfter);
}
