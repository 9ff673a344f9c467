using Controller.Domain.Common;

namespace Controller.Domain.Engines;

/// <summary>manual: an admin sets the desired count; queue: the desired count follows the engine's task backlog.</summary>
public enum ScalingMode
{
    Manual,
    Queue,
}

/// <summary>
/// How an engine's desired count is set. In queue mode it is backlog (queued + leased tasks) / <see cref="TargetTasksPerInstance"/>,
/// rounded up and kept within the engine's bounds: raised at once, lowered only once the backlog has called for fewer
/// copies for <see cref="ScaleDownAfterSeconds"/> (as KEDA's cooldown).
/// </summary>
public sealed record EngineScaling(ScalingMode Mode, int TargetTasksPerInstance, int ScaleDownAfterSeconds)
{
    public const int DefaultTargetTasksPerInstance = 1;
    public const int DefaultScaleDownAfterSeconds = 300;

    public static readonly EngineScaling Manual = new(ScalingMode.Manual, DefaultTargetTasksPerInstance, DefaultScaleDownAfterSeconds);

    public static EngineScaling Queue(int targetTasksPerInstance = DefaultTargetTasksPerInstance, int scaleDownAfterSeconds = DefaultScaleDownAfterSeconds) =>
        new(ScalingMode.Queue, targetTasksPerInstance, scaleDownAfterSeconds);

    /// <summary>The copies a backlog calls for, within the bounds.</summary>
    public int WantedFor(long backlog, int minInstances, int maxInstances)
    {
        var wanted = backlog <= 0 ? 0 : (backlog + TargetTasksPerInstance - 1) / TargetTasksPerInstance;
        return (int)Math.Clamp(wanted, minInstances, maxInstances);
    }

    internal EngineScaling Validated()
    {
        if (TargetTasksPerInstance is < 1 or > Limits.MaxTargetTasksPerInstance)
        {
            throw new DomainException("invalid_value", $"'scaling.targetTasksPerInstance' must be between 1 and {Limits.MaxTargetTasksPerInstance}.",
                new Dictionary<string, object?> { ["field"] = "scaling.targetTasksPerInstance" });
        }

        if (ScaleDownAfterSeconds is < 0 or > Limits.MaxScaleDownAfterSeconds)
        {
            throw new DomainException("invalid_value", $"'scaling.scaleDownAfterSeconds' must be between 0 and {Limits.MaxScaleDownAfterSeconds}.",
                new Dictionary<string, object?> { ["field"] = "scaling.scaleDownAfterSeconds" });
        }

        return this;
    }
}
