using System.Collections.Concurrent;

namespace Controller.Application.Hosts.FastPath;

/// <summary>
/// Last-seen times of hosts answered without a database write, kept in memory and written in batches (one statement
/// for many hosts) by every replica's flush service. Lost-host detection accounts for the flush interval.
/// </summary>
public sealed class LastSeenBuffer
{
    private ConcurrentDictionary<Guid, DateTimeOffset> _seen = new();

    public void Record(Guid hostId, DateTimeOffset at) => _seen.AddOrUpdate(hostId, at, (_, earlier) => earlier > at ? earlier : at);

    /// <summary>Everything recorded since the last call (the buffer starts anew).</summary>
    public IReadOnlyDictionary<Guid, DateTimeOffset> Drain() => Interlocked.Exchange(ref _seen, new ConcurrentDictionary<Guid, DateTimeOffset>());
}
