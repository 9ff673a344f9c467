using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Microsoft.Extensions.Options;

namespace Controller.Application.Hosts;

/// <summary>
/// The interval grows with the fleet so that hosts / interval stays under the target rate of status calls,
/// and gets up to 20% jitter so that hosts registered together do not report in lockstep.
/// The live host count is refreshed from the database by every replica's background sweep tick, so every replica
/// tells agents the same base interval; lost-host detection is derived from the longest interval it can tell.
/// </summary>
public sealed class StatusIntervalAdvisor(IOptions<SchedulingOptions> options) : IStatusIntervalAdvisor
{
    private int _liveHosts;

    public int LiveHosts => Volatile.Read(ref _liveHosts);

    public void UpdateLiveHosts(int count) => Volatile.Write(ref _liveHosts, Math.Max(0, count));

    /// <summary>The interval before jitter: the configured one, grown so that hosts / interval stays under the target rate.</summary>
    public int BaseInterval
    {
        get
        {
            var o = options.Value;
            var needed = (int)Math.Ceiling(LiveHosts / (double)o.TargetStatusCallsPerSecond);
            return Math.Max(o.StatusIntervalSeconds, needed);
        }
    }

    /// <summary>
    /// How long a host may be silent before it is lost: the configured <c>HostLostAfterSeconds</c>, but never less than
    /// three of the longest intervals an agent can be told (so a grown interval never makes healthy hosts look lost).
    /// </summary>
    public TimeSpan HostLostAfter
    {
        get
        {
            var longest = BaseInterval + MaxJitter(BaseInterval);
            return TimeSpan.FromSeconds(Math.Max(options.Value.HostLostAfterSeconds, 3 * longest));
        }
    }

    public int NextInterval()
    {
        var interval = BaseInterval;
        return interval + Random.Shared.Next(0, MaxJitter(interval) + 1);
    }

    private static int MaxJitter(int interval) => interval >= 5 ? interval / 5 : 0;
}
