using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Microsoft.Extensions.Options;

namespace Controller.Application.Events;

/// <summary>Keeps the feed within <see cref="EventOptions.RetentionHours"/> and <see cref="EventOptions.MaxCount"/> (run by the sweep).</summary>
public sealed class EventRetention(IEventLog events, IOptions<EventOptions> options, TimeProvider clock)
{
    public Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        return events.PruneAsync(clock.GetUtcNow() - TimeSpan.FromHours(o.RetentionHours), o.MaxCount, cancellationToken);
    }
}
