using Controller.Domain.Common;
using Controller.Domain.Events;

namespace Controller.Domain.Engines;

/// <summary>
/// A catalogue entry: an image, the resources one copy needs, a priority and how many copies should run.
/// Keeps the cluster-wide count of its active copies (pending + starting + running), so that placement
/// never reads the whole cluster and two concurrent decisions cannot both fill the same gap: every change
/// of the count is a write of this row, guarded by its version.
/// </summary>
public sealed class Engine : Entity
{
    private Dictionary<string, string> _hostLabels = [];
    private List<string>? _command;
    private Dictionary<string, string> _environment = [];

    private Engine(Guid id)
        : base(id)
    {
        Name = string.Empty;
        Image = string.Empty;
    }

    public string Name { get; private set; }

    public string Image { get; private set; }

    public Resources Resources { get; private set; }

    public int Priority { get; private set; }

    /// <summary>Whether its copies may be stopped to make room for copies of an engine of higher priority.</summary>
    public bool Preemptible { get; private set; } = true;

    /// <summary>
    /// Copies of this engine for which copies of lower priority are being stopped (until <see cref="PreemptionsPendingUntil"/>):
    /// no more is preempted for them meanwhile; each launch takes one off.
    /// </summary>
    public int PreemptionsPending { get; private set; }

    /// <summary>When the pending preemptions are forgotten: the victims have stopped by then, or never will.</summary>
    public DateTimeOffset? PreemptionsPendingUntil { get; private set; }

    public int MinInstances { get; private set; }

    public int MaxInstances { get; private set; }

    /// <summary>The desired count, always within <see cref="MinInstances"/>..<see cref="MaxInstances"/>.</summary>
    public int DesiredInstances { get; private set; }

    public IReadOnlyDictionary<string, string> HostLabels => _hostLabels;

    /// <summary>How long a copy is given between the stop signal and the kill.</summary>
    public int StopGraceSeconds { get; private set; } = EngineRuntime.DefaultStopGraceSeconds;

    /// <summary>What a new copy runs besides the image: command, environment, stop grace.</summary>
    public EngineRuntime Runtime => new(_command, _environment, StopGraceSeconds);

    public ScalingMode ScalingMode { get; private set; }

    public int TargetTasksPerInstance { get; private set; } = EngineScaling.DefaultTargetTasksPerInstance;

    public int ScaleDownAfterSeconds { get; private set; } = EngineScaling.DefaultScaleDownAfterSeconds;

    public EngineScaling Scaling => new(ScalingMode, TargetTasksPerInstance, ScaleDownAfterSeconds);

    /// <summary>Queue scaling: since when the backlog has called for fewer copies than desired (null when it has not).</summary>
    public DateTimeOffset? ScaleDownWantedSince { get; private set; }

    public EngineState State { get; private set; }

    /// <summary>Copies that are pending, starting or running, cluster-wide.</summary>
    public int ActiveInstances { get; private set; }

    public int ConsecutiveFailures { get; private set; }

    /// <summary>No launch before this moment after repeated failures.</summary>
    public DateTimeOffset? BackoffUntil { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>The desired count the cluster converges to: 0 once deleted.</summary>
    public int Target => State == EngineState.Active ? DesiredInstances : 0;

    public int Deficit => Math.Max(0, Target - ActiveInstances);

    public int Surplus => Math.Max(0, ActiveInstances - Target);

    public static Engine Create(Guid id, EngineSpec spec, DateTimeOffset now)
    {
        var engine = new Engine(id) { CreatedAt = now, State = EngineState.Active };
        engine.Apply(spec, now);
        engine.Raise(ClusterEvent.Create(ClusterEventTypes.EngineCreated, now,
            $"Engine {engine.Name} created ({engine.Image}), {Wording.Count(engine.DesiredInstances, "copy", "copies")} desired.", engineId: id));
        return engine;
    }

    /// <summary>
    /// A caller asks for <paramref name="desired"/> copies explicitly (a PATCH naming <c>desiredInstances</c>): refused
    /// while the queue decides the count (the engine would silently keep its own), unless it asks for the count it has.
    /// </summary>
    public void EnsureDesiredCountSettable(int desired)
    {
        if (ScalingMode == ScalingMode.Queue && desired != DesiredInstances)
        {
            throw new DomainException("engine_scaled_by_queue",
                $"Engine {Name} is scaled by its queue ('scaling.mode': 'queue'): its backlog decides its desired count ({DesiredInstances} now). Set 'scaling' to manual in the same request to set the count yourself.",
                new Dictionary<string, object?> { ["engineId"] = Id, ["scalingMode"] = "queue", ["desiredInstances"] = DesiredInstances });
        }
    }

    /// <summary>Replace the definition (PUT). Running copies keep the image they were launched with.</summary>
    public void Update(EngineSpec spec, DateTimeOffset now)
    {
        EnsureActive("update");
        var desired = DesiredInstances;
        Apply(spec, now);
        if (desired != DesiredInstances)
        {
            RaiseScaled(desired, "updated", now);
        }
    }

    /// <summary>Delete: every copy is stopped, then the engine is gone.</summary>
    public void Delete(DateTimeOffset now)
    {
        if (State == EngineState.Deleted)
        {
            throw Conflict("delete");
        }

        if (State == EngineState.Deleting)
        {
            return;
        }

        State = EngineState.Deleting;
        UpdatedAt = now;
        Raise(ClusterEvent.Create(ClusterEventTypes.EngineDeleting, now, $"Engine {Name} is being deleted: {(ActiveInstances == 1 ? "its copy is" : $"its {Wording.Count(ActiveInstances, "copy", "copies")} are")} stopped.", engineId: Id));
    }

    /// <summary>The last copy is gone; the engine leaves the catalogue.</summary>
    public void CompleteDeletion(DateTimeOffset now)
    {
        if (State != EngineState.Deleting || ActiveInstances > 0)
        {
            throw Conflict("complete the deletion of");
        }

        State = EngineState.Deleted;
        UpdatedAt = now;
        Raise(ClusterEvent.Create(ClusterEventTypes.EngineDeleted, now, $"Engine {Name} left the catalogue: its last copy is gone.", engineId: Id));
    }

    /// <summary>
    /// Queue scaling: set the desired count from the backlog (queued + leased tasks). Up at once; down only after the
    /// backlog has called for fewer copies for the cooldown. Returns true when the desired count changed.
    /// </summary>
    public bool ApplyBacklog(long backlog, DateTimeOffset now)
    {
        if (ScalingMode != ScalingMode.Queue || State != EngineState.Active)
        {
            return false;
        }

        var wanted = Scaling.WantedFor(backlog, MinInstances, MaxInstances);
        if (wanted >= DesiredInstances)
        {
            ScaleDownWantedSince = null;
            return SetDesired(wanted, now);
        }

        ScaleDownWantedSince ??= now;
        if (now - ScaleDownWantedSince.Value < TimeSpan.FromSeconds(ScaleDownAfterSeconds))
        {
            return false;
        }

        ScaleDownWantedSince = null;
        return SetDesired(wanted, now);
    }

    public bool InBackoffAt(DateTimeOffset now) => BackoffUntil is { } until && until > now;

    /// <summary>Counts a new copy; refuses to go above the target (the caller's decision was stale).</summary>
    public void ReserveInstance()
    {
        if (Deficit <= 0)
        {
            throw new DomainException("engine_at_desired_count", $"Engine '{Name}' already has its desired number of instances.",
                new Dictionary<string, object?> { ["engineId"] = Id });
        }

        ActiveInstances++;
        if (PreemptionsPending > 0)
        {
            PreemptionsPending--;
        }
    }

    /// <summary>The copies for which preemptions are still under way at <paramref name="now"/>.</summary>
    public int PreemptionsPendingAt(DateTimeOffset now) => PreemptionsPendingUntil is { } until && until > now ? PreemptionsPending : 0;

    /// <summary>
    /// Copies of lower priority on <paramref name="hostName"/> are stopped to make room for one copy of this engine; they
    /// stop within <paramref name="victimsStopWithin"/>, until when no more is preempted for that copy.
    /// </summary>
    public void RecordPreemption(string hostName, IReadOnlyList<(string Engine, int Priority)> victims, TimeSpan victimsStopWithin, DateTimeOffset now)
    {
        PreemptionsPending = PreemptionsPendingAt(now) + 1;
        var until = now + victimsStopWithin;
        PreemptionsPendingUntil = PreemptionsPendingUntil is { } earlier && earlier > until ? earlier : until;
        var named = string.Join(", ", victims.Select(v => $"{v.Engine} (priority {v.Priority})"));
        Raise(ClusterEvent.Create(ClusterEventTypes.EnginePreempting, now,
            $"Engine {Name} (priority {Priority}) has no room anywhere: {Wording.Count(victims.Count, "copy", "copies")} of lower priority stop on {hostName} to make room for one: {named}.",
            engineId: Id, reason: "preempting"));
    }

    /// <summary>A copy left the active states (stopping, failed, lost).</summary>
    public void ReleaseInstance()
    {
        if (ActiveInstances <= 0)
        {
            throw new DomainException("engine_count_underflow", $"Engine '{Name}' has no active instance to release.",
                new Dictionary<string, object?> { ["engineId"] = Id });
        }

        ActiveInstances--;
    }

    /// <summary>Copies failed (one or many in one round): back off exponentially before the next launch, one step per call.</summary>
    public void RecordFailure(DateTimeOffset now, TimeSpan firstBackoff, TimeSpan maxBackoff)
    {
        ConsecutiveFailures++;
        var factor = Math.Pow(2, Math.Min(ConsecutiveFailures - 1, 30));
        var backoff = TimeSpan.FromSeconds(Math.Min(firstBackoff.TotalSeconds * factor, maxBackoff.TotalSeconds));
        BackoffUntil = now + backoff;
        Raise(ClusterEvent.Create(ClusterEventTypes.EngineBackoffStarted, now,
            string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"Engine {Name}: {ConsecutiveFailures} failed round(s) in a row; no launch before {BackoffUntil:O} ({backoff.TotalSeconds:0} s)."),
            engineId: Id, reason: "failures"));
    }

    /// <summary>A copy proved healthy (it ran long enough): failures are forgiven and the back-off ends.</summary>
    public void RecordSuccess(DateTimeOffset now)
    {
        if (ConsecutiveFailures == 0 && BackoffUntil is null)
        {
            return;
        }

        ConsecutiveFailures = 0;
        BackoffUntil = null;
        Raise(ClusterEvent.Create(ClusterEventTypes.EngineBackoffEnded, now, $"Engine {Name}: a copy runs healthy; earlier failures are forgiven.", engineId: Id));
    }

    /// <summary>True when a host with these labels may run this engine.</summary>
    public bool AcceptsHostLabels(IReadOnlyDictionary<string, string> labels) => Matches(_hostLabels, labels);

    public static bool Matches(IReadOnlyDictionary<string, string> required, IReadOnlyDictionary<string, string> labels)
    {
        foreach (var (key, value) in required)
        {
            if (!labels.TryGetValue(key, out var actual) || !string.Equals(actual, value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private void Apply(EngineSpec spec, DateTimeOffset now)
    {
        Name = Guard.NotBlank(spec.Name, "name", Limits.NameMaxLength);
        Image = Guard.NotBlank(spec.Image, "image", Limits.ImageMaxLength);
        Resources = Guard.NonNegative(spec.Resources, "resources");
        if (Resources.CpuMillicores == 0 && Resources.MemoryMiB == 0)
        {
            // A copy that needs nothing would fit any host any number of times.
            throw new DomainException("invalid_value", "An engine needs some CPU or memory: 'resources.cpuMillicores' or 'resources.memoryMiB' must be positive.",
                new Dictionary<string, object?> { ["field"] = "resources" });
        }

        if (spec.MinInstances < 0 || spec.MaxInstances < spec.MinInstances || spec.MaxInstances > Limits.MaxInstancesPerEngine)
        {
            throw new DomainException("invalid_value", "Instance bounds must satisfy 0 <= minInstances <= maxInstances.",
                new Dictionary<string, object?> { ["field"] = "maxInstances" });
        }

        var scaling = (spec.Scaling ?? EngineScaling.Manual).Validated();
        var wasQueueScaled = ScalingMode == ScalingMode.Queue;
        Priority = spec.Priority;
        Preemptible = spec.Preemptible;
        MinInstances = spec.MinInstances;
        MaxInstances = spec.MaxInstances;

        // A queue-scaled engine keeps the count its backlog set (within the new bounds); the given one is only its start.
        DesiredInstances = Math.Clamp(wasQueueScaled && scaling.Mode == ScalingMode.Queue ? DesiredInstances : spec.DesiredInstances, spec.MinInstances, spec.MaxInstances);
        ScalingMode = scaling.Mode;
        TargetTasksPerInstance = scaling.TargetTasksPerInstance;
        ScaleDownAfterSeconds = scaling.ScaleDownAfterSeconds;
        ScaleDownWantedSince = null;
        _hostLabels = new Dictionary<string, string>(spec.HostLabels, StringComparer.Ordinal);
        var runtime = spec.Runtime ?? EngineRuntime.Default;
        _command = runtime.Command is null ? null : [.. runtime.Command];
        _environment = new Dictionary<string, string>(runtime.Environment, StringComparer.Ordinal);
        StopGraceSeconds = runtime.StopGraceSeconds;
        UpdatedAt = now;
    }

    private bool SetDesired(int desired, DateTimeOffset now)
    {
        if (desired == DesiredInstances)
        {
            return false;
        }

        var from = DesiredInstances;
        DesiredInstances = desired;
        UpdatedAt = now;
        RaiseScaled(from, "queue_backlog", now);
        return true;
    }

    private void RaiseScaled(int from, string reason, DateTimeOffset now) =>
        Raise(ClusterEvent.Create(ClusterEventTypes.EngineScaled, now, $"Engine {Name}: desired copies {from} → {DesiredInstances}.", engineId: Id, reason: reason));

    private void EnsureActive(string action)
    {
        if (State != EngineState.Active)
        {
            throw Conflict(action);
        }
    }

    private DomainException Conflict(string action) =>
        new("engine_state_conflict", $"Cannot {action} an engine that is {State.ToString().ToLowerInvariant()}.",
            new Dictionary<string, object?> { ["engineId"] = Id, ["state"] = State.ToString().ToLowerInvariant() });
}
