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
    /// <summary>The pause of a rollout that an admin asked for.</summary>
    public const string PausedByAdmin = "admin";

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

    /// <summary>The revision new copies are launched with (what the definition says now), numbered from 1.</summary>
    public int Revision { get; private set; } = 1;

    /// <summary>The highest revision number given so far: a change takes the next one; a rollback goes back to an earlier one.</summary>
    public int LastRevision { get; private set; } = 1;

    /// <summary>
    /// The revision an automatic revert goes back to: the last one whose rollout completed, or that was current when a
    /// change came while no rollout was under way. Null before any.
    /// </summary>
    public int? StableRevision { get; private set; }

    /// <summary>Active copies of the current <see cref="Revision"/>, cluster-wide; the others are outdated and replaced by the rollout.</summary>
    public int CurrentInstances { get; private set; }

    /// <summary>Active copies of an earlier revision.</summary>
    public int OutdatedInstances => ActiveInstances - CurrentInstances;

    public UpdatePolicy UpdatePolicy { get; private set; } = UpdatePolicy.Default;

    /// <summary>When the rollout to the current revision began; null when none is under way.</summary>
    public DateTimeOffset? RolloutStartedAt { get; private set; }

    /// <summary>When the rollout last made progress (a new copy healthy, an outdated one gone).</summary>
    public DateTimeOffset? RolloutProgressAt { get; private set; }

    /// <summary>Why the rollout stopped replacing healthy outdated copies (<c>crash_loop</c>, <c>progress_deadline</c>, <c>admin</c>); null while it moves.</summary>
    public string? RolloutPausedReason { get; private set; }

    /// <summary>The rollout's progress at its last look: healthy copies of the current revision less outdated copies.</summary>
    public int RolloutProgress { get; private set; }

    /// <summary>Rounds in which copies of the current revision failed before they ran healthy, during the rollout.</summary>
    public int RolloutFailures { get; private set; }

    public bool RollingOut => RolloutStartedAt is not null;

    /// <summary>Copies allowed above the desired count: only while outdated copies are still up.</summary>
    public int Surge => State == EngineState.Active && OutdatedInstances > 0 ? UpdatePolicy.SurgeFor(DesiredInstances) : 0;

    public int ConsecutiveFailures { get; private set; }

    /// <summary>No launch before this moment after repeated failures.</summary>
    public DateTimeOffset? BackoffUntil { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>The desired count the cluster converges to: 0 once deleted.</summary>
    public int Target => State == EngineState.Active ? DesiredInstances : 0;

    /// <summary>Copies to launch: up to the target in copies of the current revision, and no more than the surge above it in all.</summary>
    public int Deficit => Math.Max(0, Math.Min(Target + Surge - ActiveInstances, Target - CurrentInstances));

    public int Surplus => Math.Max(0, ActiveInstances - Target - Surge);

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

    /// <summary>
    /// Replace the definition (PUT). A change to what copies run (image, resources, command, environment) makes a new
    /// revision (returns true): copies of earlier revisions are replaced under the <see cref="UpdatePolicy"/>.
    /// </summary>
    public bool Update(EngineSpec spec, DateTimeOffset now)
    {
        EnsureActive("update");
        var desired = DesiredInstances;
        var before = (Image, Resources, Runtime);
        Apply(spec, now);
        if (desired != DesiredInstances)
        {
            RaiseScaled(desired, "updated", now);
        }

        if (string.Equals(before.Image, Image, StringComparison.Ordinal) && before.Resources == Resources && before.Runtime.RunsAs(Runtime))
        {
            return false;
        }

        LastRevision++;
        BeginRevision(LastRevision, copiesOfIt: 0, "changed", now);
        return true;
    }

    /// <summary>
    /// Makes <paramref name="revision"/> the definition again (an admin's rollback, or the automatic revert of a rollout
    /// that paused): its <paramref name="copiesOfIt"/> active copies count as current, the others are replaced. Failures of
    /// the revision left behind are forgiven.
    /// </summary>
    public void RollBack(EngineRevision revision, int copiesOfIt, bool automatic, DateTimeOffset now)
    {
        EnsureActive("roll back");
        if (revision.EngineId != Id || revision.Number == Revision || copiesOfIt < 0 || copiesOfIt > ActiveInstances)
        {
            throw new DomainException("engine_revision_current", $"Engine {Name} runs revision {Revision} already; roll back to another revision.",
                new Dictionary<string, object?> { ["engineId"] = Id, ["revision"] = revision.Number });
        }

        var from = Revision;
        Image = revision.Image;
        Resources = revision.Resources;
        _command = revision.Command is { } command ? [.. command] : null;
        _environment = new Dictionary<string, string>(revision.Environment, StringComparer.Ordinal);
        ConsecutiveFailures = 0;
        BackoffUntil = null;
        UpdatedAt = now;
        var why = automatic ? $"its rollout paused ({RolloutPausedReason})" : "an admin rolled it back";
        Raise(ClusterEvent.Create(ClusterEventTypes.EngineUpdateReverted, now,
            $"Engine {Name}: back from revision {from} to revision {revision.Number}: {why}.", engineId: Id, reason: automatic ? "auto_revert" : "rollback"));
        BeginRevision(revision.Number, copiesOfIt, automatic ? "auto_revert" : "rollback", now);
    }

    /// <summary>
    /// The rollout as counted now (<paramref name="currentHealthy"/>: copies of the current revision that ran healthy for
    /// the policy's time): it completes once no outdated copy is left and the target runs healthy, records progress, and
    /// pauses when it made none within the deadline. Returns true when it should go back to <see cref="StableRevision"/>.
    /// </summary>
    public bool ObserveRollout(int currentHealthy, DateTimeOffset now)
    {
        if (!RollingOut || State != EngineState.Active)
        {
            return false;
        }

        if (OutdatedInstances == 0 && currentHealthy >= Target)
        {
            StableRevision = Revision;
            EndRollout();
            Raise(ClusterEvent.Create(ClusterEventTypes.EngineUpdateCompleted, now,
                $"Engine {Name}: revision {Revision} rolled out: {Wording.Count(currentHealthy, "copy runs", "copies run")} healthy.", engineId: Id));
            return false;
        }

        var progress = currentHealthy - OutdatedInstances;
        if (progress > RolloutProgress)
        {
            RolloutProgress = progress;
            RolloutProgressAt = now;
            if (RolloutPausedReason == "progress_deadline")
            {
                RolloutPausedReason = null;
            }

            Raise(ClusterEvent.Create(ClusterEventTypes.EngineUpdateProgressed, now,
                $"Engine {Name}: rolling out revision {Revision}: {currentHealthy} of {DesiredInstances} healthy, {Wording.Count(OutdatedInstances, "outdated copy", "outdated copies")} left.",
                engineId: Id));
        }
        else if (RolloutPausedReason is null && now - RolloutProgressAt >= TimeSpan.FromSeconds(UpdatePolicy.ProgressDeadlineSeconds))
        {
            Pause("progress_deadline", $"no progress for {UpdatePolicy.ProgressDeadlineSeconds} s", now);
        }

        return RevertWanted;
    }

    /// <summary>The rollout paused on its own (not by an admin) and the policy says to go back to the last healthy revision.</summary>
    public bool RevertWanted => RollingOut && RolloutPausedReason is not null and not PausedByAdmin && UpdatePolicy.AutoRevert && StableRevision is { } stable && stable != Revision;

    /// <summary>
    /// An admin holds the rollout where it is: no more healthy outdated copy is stopped, and it neither reverts nor resumes
    /// on its own, until <see cref="ResumeRollout"/> or a new change (which starts a new rollout). Pausing it again changes nothing.
    /// </summary>
    public void PauseRollout(DateTimeOffset now)
    {
        EnsureActive("pause the rollout of");
        EnsureRollingOut("pause");
        if (RolloutPausedReason != PausedByAdmin)
        {
            UpdatedAt = now;
            Pause(PausedByAdmin, "an admin paused it", now);
        }
    }

    /// <summary>
    /// The rollout moves again, whatever paused it (an admin, its deadline, a crash loop): its failures are forgiven and
    /// its progress deadline counts from now.
    /// </summary>
    public void ResumeRollout(DateTimeOffset now)
    {
        EnsureActive("resume the rollout of");
        EnsureRollingOut("resume");
        if (RolloutPausedReason is not { } reason)
        {
            throw new DomainException("engine_rollout_not_paused", $"The rollout of engine {Name} is not paused.",
                new Dictionary<string, object?> { ["engineId"] = Id, ["revision"] = Revision });
        }

        RolloutPausedReason = null;
        RolloutFailures = 0;
        RolloutProgressAt = now;
        UpdatedAt = now;
        Raise(ClusterEvent.Create(ClusterEventTypes.EngineUpdateResumed, now,
            $"Engine {Name}: rollout of revision {Revision} resumed (it was paused: {reason}).", engineId: Id, reason: reason));
    }

    /// <summary>Copies of the current revision failed before they ran healthy (one round): a crash loop pauses the rollout.</summary>
    public void RecordRevisionFailure(DateTimeOffset now)
    {
        if (!RollingOut)
        {
            return;
        }

        RolloutFailures++;
        if (RolloutFailures >= UpdatePolicy.CrashLoopFailures && RolloutPausedReason is null)
        {
            Pause("crash_loop", $"copies of revision {Revision} failed before running healthy in {RolloutFailures} rounds", now);
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
        CurrentInstances++;
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

    /// <summary>A copy of <paramref name="revision"/> left the active states (stopping, failed, lost).</summary>
    public void ReleaseInstance(int revision)
    {
        if (ActiveInstances <= 0)
        {
            throw new DomainException("engine_count_underflow", $"Engine '{Name}' has no active instance to release.",
                new Dictionary<string, object?> { ["engineId"] = Id });
        }

        ActiveInstances--;
        if (revision == Revision && CurrentInstances > 0)
        {
            CurrentInstances--;
        }
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
        UpdatePolicy = spec.Update ?? UpdatePolicy.Default;
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

    /// <summary>
    /// <paramref name="number"/> becomes the revision copies run, with <paramref name="copiesOfIt"/> active copies already;
    /// a rollout begins when other copies are up. The revision left behind is the stable one if no rollout was under way.
    /// </summary>
    private void BeginRevision(int number, int copiesOfIt, string reason, DateTimeOffset now)
    {
        if (!RollingOut)
        {
            StableRevision = Revision;
        }

        var from = Revision;
        Revision = number;
        CurrentInstances = copiesOfIt;
        EndRollout();
        if (OutdatedInstances == 0)
        {
            return;
        }

        RolloutStartedAt = now;
        RolloutProgressAt = now;
        RolloutProgress = -OutdatedInstances;
        var policy = UpdatePolicy;
        Raise(ClusterEvent.Create(ClusterEventTypes.EngineUpdateStarted, now,
            $"Engine {Name}: rolling out revision {number} (from {from}) over {Wording.Count(OutdatedInstances, "copy", "copies")}: at most {policy.SurgeFor(DesiredInstances)} above and {policy.UnavailableFor(DesiredInstances)} below {DesiredInstances} desired.",
            engineId: Id, reason: reason));
    }

    private void EnsureRollingOut(string action)
    {
        if (!RollingOut)
        {
            throw new DomainException("engine_rollout_none", $"Engine {Name} has no rollout under way to {action}: every copy runs revision {Revision}.",
                new Dictionary<string, object?> { ["engineId"] = Id, ["revision"] = Revision });
        }
    }

    private void EndRollout()
    {
        RolloutStartedAt = null;
        RolloutProgressAt = null;
        RolloutPausedReason = null;
        RolloutProgress = 0;
        RolloutFailures = 0;
    }

    private void Pause(string reason, string why, DateTimeOffset now)
    {
        RolloutPausedReason = reason;
        var next = reason == PausedByAdmin ? "healthy outdated copies keep running until it is resumed, or the engine is changed or rolled back"
            : UpdatePolicy.AutoRevert && StableRevision is { } stable && stable != Revision ? $"going back to revision {stable}"
            : "healthy outdated copies keep running until the engine is changed or rolled back";
        Raise(ClusterEvent.Create(ClusterEventTypes.EngineUpdatePaused, now, $"Engine {Name}: rollout of revision {Revision} paused: {why}; {next}.", engineId: Id, reason: reason));
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
