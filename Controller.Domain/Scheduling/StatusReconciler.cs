using Controller.Domain.EngineInstances;

namespace Controller.Domain.Scheduling;

public enum ReportedContainerState
{
    Created,
    Running,
    Exited,
}

/// <summary>A managed container in an agent's report.</summary>
public sealed record ReportedContainer(string ContainerId, Guid EngineInstanceId, ReportedContainerState State, int? ExitCode);

/// <summary>A container the agent must remove that is not (or no longer) one of this host's live instances.</summary>
public sealed record ContainerTerminate(Guid EngineInstanceId, string ContainerId, string Reason);

/// <summary>What reconciling one report changed.</summary>
public sealed record ReconcileResult(
    IReadOnlyList<EngineInstance> Released,
    IReadOnlyList<EngineInstance> Failed,
    IReadOnlyList<ContainerTerminate> ExtraTerminates);

/// <summary>
/// Brings the instances of one host in line with what its agent reports. Judges liveness by the
/// controller's own clock, never by times the agent sends.
/// </summary>
public static class StatusReconciler
{
    public const string ReasonUnknownInstance = "unknown_instance";
    public const string ReasonStaleInstance = "stale_instance";
    public const string ReasonEnded = "instance_ended";

    /// <param name="live">The host's instances that hold resources (pending, starting, running, stopping).</param>
    /// <param name="reported">The managed containers in the report.</param>
    /// <param name="ended">Reported instance ids of this host that have already ended, with their state.</param>
    /// <param name="now">The controller's clock when the report was received.</param>
    /// <param name="launchTimeout">A launch not reported by then fails.</param>
    /// <param name="heartbeatTimeout">A running engine silent this long fails.</param>
    public static ReconcileResult Reconcile(
        IReadOnlyList<EngineInstance> live,
        IReadOnlyList<ReportedContainer> reported,
        IReadOnlyDictionary<Guid, EngineInstanceState> ended,
        DateTimeOffset now,
        TimeSpan launchTimeout,
        TimeSpan heartbeatTimeout)
    {
        var byId = new Dictionary<Guid, ReportedContainer>(reported.Count);
        foreach (var container in reported)
        {
            byId[container.EngineInstanceId] = container;
        }

        var released = new List<EngineInstance>();
        var failed = new List<EngineInstance>();
        var liveById = new Dictionary<Guid, EngineInstance>(live.Count);
        foreach (var instance in live)
        {
            liveById[instance.Id] = instance;
            var wasActive = instance.IsActive;
            bool left;
            if (byId.TryGetValue(instance.Id, out var container))
            {
                left = container.State == ReportedContainerState.Exited
                    ? instance.ContainerExited(container.ExitCode, now)
                    : SeenAlive(instance, container, now, heartbeatTimeout);
            }
            else
            {
                left = instance.State == EngineInstanceState.Pending
                    ? now - instance.CreatedAt > launchTimeout && instance.LaunchTimedOut(now)
                    : instance.ContainerGone(now);
            }

            if (left && wasActive)
            {
                released.Add(instance);
                if (instance.State == EngineInstanceState.Failed)
                {
                    failed.Add(instance);
                }
            }
        }

        var extra = new List<ContainerTerminate>();
        foreach (var container in reported)
        {
            if (liveById.TryGetValue(container.EngineInstanceId, out var reportedLive))
            {
                // Ended in this very round (exited, stopped): its container is still there to be removed.
                if (reportedLive.IsEnded)
                {
                    extra.Add(new ContainerTerminate(container.EngineInstanceId, container.ContainerId, ReasonEnded));
                }

                continue;
            }

            var reason = ended.TryGetValue(container.EngineInstanceId, out var state)
                ? state == EngineInstanceState.Lost ? ReasonStaleInstance : ReasonEnded
                : ReasonUnknownInstance;
            extra.Add(new ContainerTerminate(container.EngineInstanceId, container.ContainerId, reason));
        }

        return new ReconcileResult(released, failed, extra);
    }

    private static bool SeenAlive(EngineInstance instance, ReportedContainer container, DateTimeOffset now, TimeSpan heartbeatTimeout)
    {
        instance.ContainerSeen(container.ContainerId, now);
        return instance.LastHeartbeatAt is { } last && now - last > heartbeatTimeout && instance.HeartbeatTimedOut(now);
    }
}
