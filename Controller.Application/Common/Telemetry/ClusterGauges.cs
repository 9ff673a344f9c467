namespace Controller.Application.Common.Telemetry;

/// <summary>
/// The cluster's current sizes for the gauges, read in the background every few seconds (never by a request or a
/// scrape): hosts by state, instances by engine and state, each engine's desired and active counts and back-off,
/// tasks by engine and state and the age of each engine's oldest queued task.
/// </summary>
public sealed class ClusterGauges
{
    /// <summary>How far back <see cref="History"/> reaches.</summary>
    public static readonly TimeSpan HistoryWindow = TimeSpan.FromHours(1);

    private readonly Lock _historyLock = new();
    private readonly Queue<EngineSample> _history = new();
    private volatile ClusterSizes _current = ClusterSizes.Empty;

    public ClusterSizes Current => _current;

    public void Set(ClusterSizes sizes, DateTimeOffset at)
    {
        _current = sizes;
        lock (_historyLock)
        {
            _history.Enqueue(new EngineSample(at, sizes.Engines.ToDictionary(e => e.EngineId, e => (e.Desired, e.Active))));
            while (_history.Count > 0 && _history.Peek().At < at - HistoryWindow)
            {
                _history.Dequeue();
            }
        }
    }

    /// <summary>Desired and active copies per engine at each reading of the last hour (this replica's readings), oldest first.</summary>
    public IReadOnlyList<EngineSample> History()
    {
        lock (_historyLock)
        {
            return [.. _history];
        }
    }
}

/// <summary>One reading: desired and active copies by engine id.</summary>
public sealed record EngineSample(DateTimeOffset At, IReadOnlyDictionary<Guid, (int Desired, int Active)> Engines);

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
public sealed record EngineSizes(Guid EngineId, string Engine, int Desired, int Active, bool InBackoff, double? OldestQueuedAgeSeconds)
{
    /// <summary>The rollout under way: its target revision, the outdated copies left, why it paused (null while it moves); null when none is.</summary>
    public (int Revision, int Outdated, string? PausedReason)? Rollout { get; init; }
}
