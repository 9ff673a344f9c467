using Controller.Application.Common.Models;

namespace Controller.Application.Common.Interfaces;

/// <summary>Reads over all hosts for the background views and sweeps (never on a per-request path).</summary>
public interface IHostDirectory
{
    Task<IReadOnlyList<ActiveHostView>> ListActiveAsync(CancellationToken cancellationToken);

    /// <summary>Live hosts (active, draining, drained) last seen before <paramref name="seenBefore"/>.</summary>
    Task<IReadOnlyList<Guid>> ListSilentSinceAsync(DateTimeOffset seenBefore, int max, CancellationToken cancellationToken);

    /// <summary>Terminating hosts last seen before <paramref name="seenBefore"/> (their agent will not finish the termination).</summary>
    Task<IReadOnlyList<Guid>> ListSilentTerminatingAsync(DateTimeOffset seenBefore, int max, CancellationToken cancellationToken);

    Task<int> CountLiveAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Hosts that something happened to (an event of theirs: a copy launched, stopped, failed, a drain, ...) at or after
    /// <paramref name="since"/>, on any replica, each with the time of its latest such event.
    /// </summary>
    Task<IReadOnlyList<HostChange>> ListChangedSinceAsync(DateTimeOffset since, CancellationToken cancellationToken);
}
