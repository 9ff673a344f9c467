using System.ComponentModel.DataAnnotations;

namespace Controller.Application.Common.Options;

/// <summary>The <c>Events</c> configuration section: the cluster event feed.</summary>
public sealed class EventOptions
{
    public const string SectionName = "Events";

    /// <summary>At most this many events are kept (the oldest go first).</summary>
    [Range(100, 100_000_000)]
    public int MaxCount { get; set; } = 100_000;

    /// <summary>
    /// How often a live follower (<c>GET /event/stream</c>) looks for events written by other replicas; events written
    /// by this replica reach it at once.
    /// </summary>
    [Range(50, 60_000)]
    public int StreamPollMilliseconds { get; set; } = 1000;

    /// <summary>A comment line keeps an idle stream open through proxies this often.</summary>
    [Range(1, 3600)]
    public int StreamKeepAliveSeconds { get; set; } = 15;
}
