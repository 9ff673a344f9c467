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

    /// <summary>Extra grace given to every host after the controller starts.</summary>
    [Range(0, 86_400)]
    public int StartupGraceSeconds { get; set; } = 60;

    /// <summary>When more than this fraction of live hosts would be declared lost at once, none is (the fault is likely the controller's or the network's).</summary>
    [Range(0.0, 1.0)]
    public double MassLossFraction { get; set; } = 0.5;

    [Range(1, 3600)]
    public int SweepIntervalSeconds { get; set; } = 5;

    /// <summary>How long a replica holds the sweep lease without renewing it (bounds the take-over after it dies).</summary>
    [Range(1, 3600)]
    public int SweepLeaseSeconds { get; set; } = 15;

    /// <summary>At most this many hosts are declared lost per sweep (replacements are rate-limited).</summary>
    [Range(1, 100_000)]
    public int MaxHostsLostPerSweep { get; set; } = 50;

    /// <summary>How old the cached cluster view (engine counts, hosts with room) may get before it is rebuilt.</summary>
    [Range(0, 60_000)]
    public int SnapshotMaxAgeMilliseconds { get; set; } = 1000;

    /// <summary>A status round that loses a race on a shared row is retried this many times in all.</summary>
    [Range(1, 50)]
    public int MaxRoundAttempts { get; set; } = 8;

    /// <summary>First back-off after repeated failures of an engine; doubles per failure up to the maximum.</summary>
    [Range(1, 86_400)]
    public int FailureBackoffSeconds { get; set; } = 10;

    [Range(1, 86_400)]
    public int MaxFailureBackoffSeconds { get; set; } = 600;
}

public enum PlacementPolicyName
{
    Spread,
    Binpack,
}
