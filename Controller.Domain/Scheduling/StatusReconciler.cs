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

/// <summary>
/// What reconciling one report changed: the copies that left their engine's count, those of them that failed, the
/// containers to remove that are not live instances, and the GPUs still held by reported containers of ended instances.
/// </summary>
public sealed record ReconcileResult(
    IReadOnlyList<EngineInstance> Released,
    IReadOnlyList<EngineInstance> Failed,
    IReadOnlyList<ContainerTerminate> ExtraTerminates,
    IReadOnlyList<int> HeldGpuIndexes);

/// <summary>How long each instance state may last without progress (every state has one).</summary>
/// <param name="Launch">pending: the agent never listed the container.</param>
/// <param name="Start">starting: the container runs but the engine never announced itself.</param>
/// <param name="Heartbeat">running: the engine stopped heartbeating.</param>
/// <param name="Stop">stopping: the container was told to terminate and is still there.</param>
public sealed record InstanceTimeouts(TimeSpan Launch, TimeSpan Start, TimeSpan Heartbeat, TimeSpan Stop);

/// <summary>An ended instance whose container the agent still reports, with what it still holds.</summary>
public sealed record EndedInstance(EngineInstanceState State, IReadOnlyList<int> GpuIndexes);

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
    /// <param name="timeouts">How long each state may last.</param>
    public static ReconcileResult Reconcile(
        IReadOnlyList<EngineInstance> live,
        IReadOnlyList<ReportedContainer> reported,
        IReadOnlyDictionary<Guid, EndedInstance> ended,
        DateTimeOffset now,
        InstanceTimeouts timeouts)
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
            if (Settle(instance, byId.GetValueOrDefault(instance.Id), now, timeouts) && wasActive)
            {
                released.Add(instance);
                if (instance.State == EngineInstanceState.Failed)
                {
                    failed.Add(instance);
                }
            }
        }

        var (extra, heldGpus) = ContainersToRemove(reported, liveById, ended);
        return new ReconcileResult(released, failed, extra, heldGpus);
    }

    /// <summary>One live instance against what the report says of its container; true when it left the active states.</summary>
    private static bool Settle(EngineInstance instance, ReportedContainer? container, DateTimeOffset now, InstanceTimeouts timeouts)
    {
        if (instance.State == EngineInstanceState.Stopping && now - instance.StateChangedAt > timeouts.Stop + RollingUpdate.ExtraStopTime(instance))
        {
            // Told to terminate long ago (a copy left to finish its work: and its stop grace before that): count it gone;
            // a container still reported is told again (ContainersToRemove).
            instance.StopTimedOut(now);
            return false;
        }

        if (container is not null)
        {
            return container.State == ReportedContainerState.Exited
                ? instance.ContainerExited(container.ExitCode, now)
                : SeenAlive(instance, container, now, timeouts);
        }

        // Never listed by the agent (even if the engine already announced itself): a launch not yet confirmed.
        // A copy told to stop that the agent does not list is gone, whether or not it was ever listed.
        return instance.ContainerId is null && instance.State != EngineInstanceState.Stopping
            ? now - instance.CreatedAt > timeouts.Launch && instance.LaunchTimedOut(now)
            : instance.ContainerGone(now);
    }

    /// <summary>
    /// Reported containers whose instance ended (in this round or before) or is unknown here: each is told to go.
    /// A GPU stays taken while any container that was given it is reported, whatever its instance's state.
    /// </summary>
    private static (List<ContainerTerminate> Extra, List<int> HeldGpus) ContainersToRemove(
        IReadOnlyList<ReportedContainer> reported, Dictionary<Guid, EngineInstance> liveById, IReadOnlyDictionary<Guid, EndedInstance> ended)
    {
        var extra = new List<ContainerTerminate>();
        var heldGpus = new List<int>();
        foreach (var container in reported)
        {
            if (liveById.TryGetValue(container.EngineInstanceId, out var reportedLive))
            {
                // Ended in this very round (exited, stopped): its container is still there to be removed.
                if (reportedLive.IsEnded)
                {
                    extra.Add(new ContainerTerminate(container.EngineInstanceId, container.ContainerId, ReasonEnded));
                    heldGpus.AddRange(reportedLive.GpuIndexes);
                }

                continue;
            }

            var reason = ReasonUnknownInstance;
            if (ended.TryGetValue(container.EngineInstanceId, out var endedInstance))
            {
                reason = endedInstance.State == EngineInstanceState.Lost ? ReasonStaleInstance : ReasonEnded;
                heldGpus.AddRange(endedInstance.GpuIndexes);
            }

            extra.Add(new ContainerTerminate(container.EngineInstanceId, container.ContainerId, reason));
        }

        return (extra, heldGpus);
    }

    private static bool SeenAlive(EngineInstance instance, ReportedContainer container, DateTimeOffset now, InstanceTimeouts timeouts)
    {
        instance.ContainerSeen(container.ContainerId, now);
        return instance.State switch
        {
            EngineInstanceState.Starting => now - instance.StateChangedAt > timeouts.Start && instance.StartTimedOut(now),
            EngineInstanceState.Running => instance.LastHeartbeatAt is { } last && now - last > timeouts.Heartbeat && instance.HeartbeatTimedOut(now),
            _ => false,
        };
    }
}
