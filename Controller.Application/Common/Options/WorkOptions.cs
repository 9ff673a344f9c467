using System.ComponentModel.DataAnnotations;

namespace Controller.Application.Common.Options;

/// <summary>The <c>Work</c> configuration section: the task queue.</summary>
public sealed class WorkOptions
{
    public const string SectionName = "Work";

    /// <summary>How long an instance that got no work is told to wait before asking again.</summary>
    [Range(1, 3600)]
    public int PollSeconds { get; set; } = 2;

    /// <summary>
    /// Not a setting (tests lower it): backlog counts (the gauges, <c>GET /engine/{id}</c>) count an engine's queued and
    /// leased tasks up to this many each; beyond it they say the limit and that there are more. A count costs a walk
    /// over that many index entries, so an unbounded one grows with the backlog. Scaling by backlog counts as far as its
    /// engines' largest <c>targetTasksPerInstance × maxInstances</c> instead.
    /// </summary>
    public int BacklogCountLimit { get; internal set; } = 10_000;
}
