using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Microsoft.Extensions.Options;

namespace Controller.Application.Hosts;

/// <summary>
/// The interval grows with the fleet so that hosts / interval stays under the target rate of status calls,
/// and gets up to 20% jitter so that hosts registered together do not report in lockstep.
/// The live host count is refreshed by the background sweep.
/// </summary>
public sealed class StatusIntervalAdvisor(IOptions<SchedulingOptions> options) : IStatusIntervalAdvisor
{
    private int _liveHosts;

    public int LiveHosts => Volatile.Read(ref _liveHosts);

    public void UpdateLiveHosts(int count) => Volatile.Write(ref _liveHosts, Math.Max(0, count));

    public int NextInterval()
    {
        var o = options.Value;
        var needed = (int)Math.Ceiling(LiveHosts / (double)o.TargetStatusCallsPerSecond);
        var interval = Math.Max(o.StatusIntervalSeconds, needed);
        var jitter = interval >= 5 ? Random.Shared.Next(0, (interval / 5) + 1) : 0;
        return interval + jitter;
    }
}
