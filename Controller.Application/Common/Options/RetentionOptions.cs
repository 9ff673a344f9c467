using System.ComponentModel.DataAnnotations;

namespace Controller.Application.Common.Options;

/// <summary>
/// The <c>Retention</c> configuration section: how long the sweep keeps what the live cluster no longer needs, in hours
/// (fractions allowed). Rows past their retention are deleted in set-based batches, as fast as the cluster writes them.
/// </summary>
public sealed class RetentionOptions
{
    public const string SectionName = "Retention";

    private const double Min = 0.001;
    private const double Max = 87_600;

    /// <summary>Finished tasks (succeeded, failed, cancelled), counted from when they finished.</summary>
    [Range(Min, Max)]
    public double TasksHours { get; set; } = 168;

    /// <summary>Events, counted from when they happened (and at most <see cref="EventOptions.MaxCount"/> are kept).</summary>
    [Range(Min, Max)]
    public double EventsHours { get; set; } = 168;

    /// <summary>Ended engine instances (stopped, failed, lost) and their tokens, counted from when they ended.</summary>
    [Range(Min, Max)]
    public double InstancesHours { get; set; } = 24;

    /// <summary>
    /// Terminated and lost hosts, with their last report and their tokens, counted from when they ended (once their
    /// instances are gone). A lost host's agent that comes back later is refused (401) and must register anew.
    /// </summary>
    [Range(Min, Max)]
    public double HostsHours { get; set; } = 72;

    /// <summary>Revoked and expired tokens, counted from the revocation or expiry.</summary>
    [Range(Min, Max)]
    public double TokensHours { get; set; } = 168;

    /// <summary>Audit entries (admin and viewer calls that changed or tried to change something).</summary>
    [Range(Min, Max)]
    public double AuditHours { get; set; } = 720;

    /// <summary>Deleted engines, counted from their deletion (once no instance or task names them).</summary>
    [Range(Min, Max)]
    public double EnginesHours { get; set; } = 168;
}
