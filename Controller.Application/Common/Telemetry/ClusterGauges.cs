namespace Controller.Application.Common.Telemetry;

/// <summary>
/// The cluster's current sizes for the gauges, read in the background every few seconds (never by a request or a
/// scrape): hosts by state, instances by engine and state, each engine's desired and active counts and back-off,
/// tasks by engine and state and the age of each engine's oldest queued task.
/// </summary>
public sealed class ClusterGauges
{
    private volatile ClusterSizes _current = ClusterSizes.Empty;

    public ClusterSizes Current => _current;

    public void Set(ClusterSizes sizes) => _current = sizes;
}

/// <summary>One reading of the cluster's sizes.</summary>
public sealed record ClusterSizes(
    IReadOnlyDictionary<string, long> HostsByState,
    IReadOnlyDictionary<(string Engine, string State), long> InstancesByEngineAndState,
    IReadOnlyList<EngineSizes> Engines,
    IReadOnlyDictionary<(string Engine, string State), long> TasksByEngineAndState)
{
    public static readonly ClusterSizes Empty = new(
        new Dictionary<string, long>(), new Dictionary<(string, string), long>(), [], new Dictionary<(string, string), long>());
}

/// <summary>One engine: its desired and active counts, whether it backs off, and its oldest queued task's age.</summary>
public sealed record EngineSizes(string Engine, int Desired, int Active, bool InBackoff, double? OldestQueuedAgeSeconds);
