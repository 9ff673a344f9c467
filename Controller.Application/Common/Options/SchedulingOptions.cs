using System.ComponentModel.DataAnnotations;

namespace Controller.Application.Common.Options;

/// <summary>The <c>Scheduling</c> configuration section.</summary>
public sealed class SchedulingOptions
{
    public const string SectionName = "Scheduling";

    /// <summary><c>spread</c> (default) or <c>binpack</c>.</summary>
    public PlacementPolicyName Policy { get; set; } = PlacementPolicyName.Spread;

    [Range(1, 3600)]
    public int StatusIntervalSeconds { get; set; } = 5;

    /// <summary>Status calls per second that one controller is meant to serve; the interval told to agents grows past it.</summary>
    [Range(1, 1_000_000)]
    public int TargetStatusCallsPerSecond { get; set; } = 4000;

    [Range(1, 86_400)]
    public int HostLostAfterSeconds { get; set; } = 30;

    [Range(1, 86_400)]
    public int LaunchTimeoutSeconds { get; set; } = 120;

    [Range(1, 86_400)]
    public int InstanceHeartbeatTimeoutSeconds { get; set; } = 60;

    /// <summary>A container that runs but whose engine never registers or heartbeats fails after this long in <c>starting</c>.</summary>
    [Range(1, 86_400)]
    public int StartTimeoutSeconds { get; set; } = 300;

    /// <summary>A copy told to terminate is counted gone after this long in <c>stopping</c> (its container is told again while reported).</summary>
    [Range(1, 86_400)]
    public int StopTimeoutSeconds { get; set; } = 120;

    /// <summary>At most this many launches in one status answer (those sent and not yet reported included).</summary>
    [Range(1, 10_000)]
    public int MaxLaunchesPerAnswer { get; set; } = Domain.Scheduling.SchedulerSettings.DefaultMaxLaunchesPerAnswer;

    /// <summary>How long a terminated host's token still gets <c>mode: terminate</c> answers (a lost answer is repeated) before it stops working.</summary>
    [Range(0, 86_400)]
    public int TerminatedHostGraceSeconds { get; set; } = 300;

    /// <summary>
    /// Not a setting (tests shorten it): the mass-silence guard holds lost-host detection at most this long past a
    /// host's grace; then silent hosts are declared lost at a limited rate. Five minutes outlasts a controller's
    /// restart or a switch's reboot, and is short enough that a real mass failure is acted on.
    /// </summary>
    public int MassSilenceMaxHoldSeconds { get; internal set; } = 300;

    /// <summary>Not a setting (tests raise it): past the longest hold, at most this many silent hosts are declared lost per sweep.</summary>
    public int MassSilenceLostPerSweep { get; internal set; } = 1;

    /// <summary>
    /// An engine whose copies crashed (failed before running healthy) this many times on one host within
    /// <see cref="HostAvoidSeconds"/> is not launched there meanwhile, unless every host with room avoids it.
    /// </summary>
    [Range(1, 1000)]
    public int HostAvoidAfterFailures { get; set; } = 3;

    [Range(1, 86_400)]
    public int HostAvoidSeconds { get; set; } = 300;

    /// <summary>
    /// Not a setting (tests shorten it; 0 turns the fast path off): steady-state reports (same containers, nothing to
    /// launch or stop) are answered from memory, without a database write, for at most this long after the last full
    /// round of that host on this replica. A minute: long enough that a steady host costs one round a minute, short
    /// enough that an engine's missed heartbeats on a steady host are acted on within the heartbeat timeout (admin
    /// changes made on another replica reach it through the background view refresh, within a second).
    /// </summary>
    public int FastPathMaxAgeSeconds { get; internal set; } = 60;

    /// <summary>
    /// Not a setting (tests lengthen it): how often each replica writes the last-seen times of hosts answered from
    /// memory (one statement per batch). Lost-host detection allows for it; a second is far below any host's grace.
    /// </summary>
    public int LastSeenFlushMilliseconds { get; internal set; } = 1000;

    /// <summary>Extra grace given to every host after the controller starts.</summary>
    [Range(0, 86_400)]
    public int StartupGraceSeconds { get; set; } = 60;

    /// <summary>When more than this fraction of live hosts would be declared lost at once, none is (the fault is likely the controller's or the network's).</summary>
    [Range(0.0, 1.0)]
    public double MassLossFraction { get; set; } = 0.5;

    [Range(1, 3600)]
    public int SweepIntervalSeconds { get; set; } = 5;

    /// <summary>
    /// Not a setting (tests shorten it): how long a replica holds the sweep lease without renewing it, which bounds the
    /// take-over after it dies. Three sweep intervals: a replica that missed one sweep keeps it, one that missed three has gone.
    /// </summary>
    public int SweepLeaseSeconds
    {
        get => _sweepLeaseSeconds ?? 3 * SweepIntervalSeconds;
        internal set => _sweepLeaseSeconds = value;
    }

    private int? _sweepLeaseSeconds;

    /// <summary>
    /// Not a setting: at most this many hosts are declared lost per sweep, so that replacements of a large failure
    /// are spread over sweeps (fifty per five-second sweep: a rack in seconds, not a data centre in one step).
    /// </summary>
    public int MaxHostsLostPerSweep { get; internal set; } = 50;

    /// <summary>
    /// Not a setting (tests set 0): how old the cached cluster view (engine counts, hosts with room) may get before it
    /// is rebuilt in the background. A second bounds how late another replica's change is seen, at one read a second.
    /// </summary>
    public int SnapshotMaxAgeMilliseconds { get; internal set; } = 1000;

    /// <summary>First back-off after repeated failures of an engine; doubles per failure up to the maximum.</summary>
    [Range(1, 86_400)]
    public int FailureBackoffSeconds { get; set; } = 10;

    [Range(1, 86_400)]
    public int MaxFailureBackoffSeconds { get; set; } = 600;

    /// <summary>
    /// A copy that has run this long is healthy: its later failure is bad luck (replaced at once, no back-off), and the
    /// first copy of an engine to get there ends the engine's back-off. Copies failing sooner are a crash loop.
    /// </summary>
    [Range(0, 86_400)]
    public int HealthyAfterSeconds { get; set; } = 60;

    /// <summary>
    /// A drain without a deadline of its own ends this long after it began: copies still there (no room for their
    /// replacements elsewhere) are stopped then, as Nomad's default drain deadline of one hour.
    /// </summary>
    [Range(0, 7 * 86_400)]
    public int DrainDeadlineSeconds { get; set; } = (int)Domain.Hosts.Host.DefaultDrainDeadline.TotalSeconds;
}

/// <summary>Values derived from <see cref="SchedulingOptions"/>, so every handler reads them the same way.</summary>
public static class SchedulingOptionsExtensions
{
    public static Domain.Scheduling.InstanceTimeouts InstanceTimeouts(this SchedulingOptions o) => new(
        TimeSpan.FromSeconds(o.LaunchTimeoutSeconds),
        TimeSpan.FromSeconds(o.StartTimeoutSeconds),
        TimeSpan.FromSeconds(o.InstanceHeartbeatTimeoutSeconds),
        TimeSpan.FromSeconds(o.StopTimeoutSeconds));

    public static Domain.Scheduling.BackoffPolicy Backoff(this SchedulingOptions o) =>
        new(TimeSpan.FromSeconds(o.FailureBackoffSeconds), TimeSpan.FromSeconds(o.MaxFailureBackoffSeconds), o.HealthyAfter());

    public static TimeSpan HealthyAfter(this SchedulingOptions o) => TimeSpan.FromSeconds(o.HealthyAfterSeconds);

    public static Domain.Scheduling.SchedulerSettings SchedulerSettings(this SchedulingOptions o) => new(
        o.Policy == PlacementPolicyName.Binpack ? Domain.Scheduling.PlacementPolicy.Binpack : Domain.Scheduling.PlacementPolicy.Spread,
        o.MaxLaunchesPerAnswer);
}

public enum PlacementPolicyName
{
    Spread,
    Binpack,
}
