using System.ComponentModel.DataAnnotations;

namespace Controller.Application.Common.Options;

/// <summary>The <c>Work</c> configuration section: the task queue.</summary>
public sealed class WorkOptions
{
    public const string SectionName = "Work";

    /// <summary>How long an instance that got no work is told to wait before asking again.</summary>
    [Range(1, 3600)]
    public int PollSeconds { get; set; } = 2;

    /// <summary>A getwork that loses a race with another writer is retried this often before 409 <c>concurrent_update</c>.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>getwork calls that arrive together run as one round (one transaction); off: each call runs on its own.</summary>
    public bool BatchRounds { get; set; } = true;

    /// <summary>
    /// Backlog counts (the gauges, <c>GET /engine/{id}</c>) count an engine's queued and leased tasks up to this many
    /// each; beyond it they say the limit and that there are more. A count costs a walk over that many index entries,
    /// so an unbounded one grew with the backlog (120 ms at 200,000 queued tasks on PostgreSQL, every gauge refresh).
    /// Scaling by backlog counts as far as its engines' largest <c>targetTasksPerInstance × maxInstances</c> instead.
    /// </summary>
    [Range(1, 10_000_000)]
    public int BacklogCountLimit { get; set; } = 10_000;

    /// <summary>How many batched getwork rounds one replica runs at a time.</summary>
    [Range(1, 16)]
    public int ParallelBatches { get; set; } = 1;
}
