using System.Collections.Concurrent;
using System.Text;
using Controller.Application.Hosts.Models;
using Controller.Domain.Common;
using Controller.Domain.Engines;

namespace Controller.Application.Hosts.FastPath;

/// <summary>
/// What this replica last decided for a host in steady state: its containers as reported, and that nothing was to be
/// done. A report with the same containers, within <see cref="Common.Options.SchedulingOptions.FastPathMaxAgeSeconds"/>,
/// while no engine could use the host and none of its engines has copies to stop, is answered from here without
/// touching the database (its last-seen time goes to <see cref="LastSeenBuffer"/>).
/// </summary>
public sealed class SteadyStateCache
{
    private readonly ConcurrentDictionary<Guid, SteadyState> _hosts = new();

    // Per host, the count of forgets at its last one; rounds compare it with the count when they read.
    private readonly ConcurrentDictionary<Guid, long> _forgottenAt = new();
    private long _forgets;
    private long _keptAt;

    /// <summary>The containers of a report as far as decisions go (ids, instances, states, exit codes; not metrics or free resources).</summary>
    public static string Fingerprint(IReadOnlyList<ContainerReportModel>? containers)
    {
        if (containers is not { Count: > 0 })
        {
            return string.Empty;
        }

        var text = new StringBuilder(containers.Count * 64);
        foreach (var c in containers)
        {
            text.Append(c.ContainerId).Append('|').Append(c.EngineInstanceId).Append('|').Append((int?)c.State).Append('|').Append(c.ExitCode).Append(';');
        }

        return text.ToString();
    }

    /// <summary>Where the forgetting stands: a round takes it before it reads its rows and remembers with it.</summary>
    public long Stamp() => Interlocked.Read(ref _forgets);

    /// <summary>
    /// Remembers a steady round, unless the host was forgotten after <paramref name="readAt"/> (a change committed while
    /// the round worked on rows read before it: its answer is already old).
    /// </summary>
    public void Remember(Guid hostId, SteadyState state, long readAt)
    {
        if (ForgottenSince(hostId, readAt))
        {
            return;
        }

        _hosts[hostId] = state;

        // A forget that came between the check and the write: it meant this state too.
        if (ForgottenSince(hostId, readAt))
        {
            _hosts.TryRemove(new KeyValuePair<Guid, SteadyState>(hostId, state));
        }
    }

    public void Forget(Guid hostId)
    {
        _forgottenAt[hostId] = Interlocked.Increment(ref _forgets);
        _hosts.TryRemove(hostId, out _);
    }

    /// <summary>
    /// Forgets the host if its steady round was decided before <paramref name="cutoff"/>: a change made on another replica
    /// (seen in the background) that a round decided before it could not have known.
    /// </summary>
    public void ForgetDecidedBefore(Guid hostId, DateTimeOffset cutoff)
    {
        if (!_hosts.TryGetValue(hostId, out var state) || state.DecidedAt < cutoff)
        {
            Forget(hostId);
        }
    }

    /// <summary>Forgets every host not in <paramref name="active"/> (read from the database in the background).</summary>
    public void KeepOnly(IReadOnlySet<Guid> active)
    {
        foreach (var hostId in _hosts.Keys)
        {
            if (!active.Contains(hostId))
            {
                Forget(hostId);
            }
        }

        // A stamp outlives the rounds that could have read before it (they take milliseconds, and this runs once a view
        // refresh): those of hosts gone from the active ones are dropped one refresh later.
        var previous = Interlocked.Exchange(ref _keptAt, Stamp());
        foreach (var (hostId, at) in _forgottenAt)
        {
            if (at <= previous && !active.Contains(hostId))
            {
                _forgottenAt.TryRemove(new KeyValuePair<Guid, long>(hostId, at));
            }
        }
    }

    private bool ForgottenSince(Guid hostId, long readAt) => _forgottenAt.TryGetValue(hostId, out var at) && at > readAt;

    /// <summary>
    /// How long a host's steady answer holds: between half and all of <paramref name="maxAge"/>, spread by host and
    /// decision, so that hosts whose rounds fell together (a registration wave, a scale-up) do not all come back for a
    /// full round in the same second when it ends.
    /// </summary>
    public static TimeSpan Lifetime(Guid hostId, DateTimeOffset decidedAt, TimeSpan maxAge)
    {
        var spread = (uint)HashCode.Combine(hostId, decidedAt.UtcTicks) / (double)uint.MaxValue;
        return maxAge * (0.5 + (0.5 * spread));
    }

    /// <summary>
    /// The steady answer for this report, or null when a full round must decide. With <paramref name="deferPlacement"/>,
    /// an engine that could use the host does not call for a round (its copy is placed on a later report, here or on
    /// another host); copies to stop here always do.
    /// </summary>
    public HostStatusAnswer? Answer(Guid hostId, string fingerprint, IReadOnlyList<Engine> engines, DateTimeOffset now, TimeSpan maxAge, bool deferPlacement = false) =>
        Answer(hostId, fingerprint, engines, now, maxAge, deferPlacement, out _);

    /// <summary>As above; <paramref name="miss"/> tells why there is no steady answer.</summary>
    public HostStatusAnswer? Answer(Guid hostId, string fingerprint, IReadOnlyList<Engine> engines, DateTimeOffset now, TimeSpan maxAge, bool deferPlacement,
        out SteadyMiss miss)
    {
        if (!_hosts.TryGetValue(hostId, out var state))
        {
            miss = SteadyMiss.Unknown;
            return null;
        }

        if (now - state.DecidedAt > Lifetime(hostId, state.DecidedAt, maxAge))
        {
            miss = SteadyMiss.Aged;
            return null;
        }

        if (!string.Equals(state.Fingerprint, fingerprint, StringComparison.Ordinal))
        {
            miss = SteadyMiss.ContainersChanged;
            return null;
        }

        miss = SteadyMiss.CountsChange;
        foreach (var engine in engines)
        {
            var here = state.EnginesHere.Contains(engine.Id);
            if (here && (engine.State != EngineState.Active || engine.Surplus > 0 || !engine.AcceptsHostLabels(state.Labels) || (engine.OutdatedInstances > 0
                && engine.RolloutPausedReason is null && state.RevisionsHere.Any(r => r.EngineId == engine.Id && r.Revision != engine.Revision))))
            {
                return null; // copies to stop, copies to move (the engine's labels no longer match), or outdated copies the rollout may replace
            }

            if (!deferPlacement && engine.State == EngineState.Active && engine.Deficit > 0 && !engine.InBackoffAt(now) && engine.AcceptsHostLabels(state.Labels)
                && (state.Free.Fits(engine.Resources) || (engine.Deficit > engine.PreemptionsPendingAt(now) && HoldsVictimsFor(engine, state, engines))))
            {
                return null; // a copy this host could take, or make room for by preempting copies of lower priority
            }
        }

        miss = SteadyMiss.None;
        return state.Answer;
    }

    /// <summary>Whether the host runs copies of an engine of lower priority that <paramref name="engine"/> may preempt.</summary>
    private static bool HoldsVictimsFor(Engine engine, SteadyState state, IReadOnlyList<Engine> engines) =>
        engines.Any(other => other.Priority < engine.Priority && other.Preemptible && state.EnginesHere.Contains(other.Id));
}

/// <summary>Why a report has no steady answer.</summary>
public enum SteadyMiss
{
    /// <summary>It has one.</summary>
    None,

    /// <summary>
    /// No steady round remembered for the host on this replica: its last round gave orders (a copy to start or stop,
    /// whose outcome this report is likely to show), something changed it since, or this replica has not seen it.
    /// </summary>
    Unknown,

    /// <summary>Its last full round is older than its share of the age: a refresh, which mostly writes nothing.</summary>
    Aged,

    /// <summary>The host's containers differ from those of its last full round (one started, ended or changed state): its round writes.</summary>
    ContainersChanged,

    /// <summary>The same containers, but copies to stop there or a copy it could take: its round is all but sure to change engine counts.</summary>
    CountsChange,
}

/// <summary>A steady host as a full round left it.</summary>
public sealed record SteadyState(
    string Fingerprint,
    HostStatusAnswer Answer,
    DateTimeOffset DecidedAt,
    IReadOnlySet<Guid> EnginesHere,
    Resources Free,
    IReadOnlyDictionary<string, string> Labels)
{
    /// <summary>The revisions its copies run, per engine: a host whose copies all run their engine's current revision has nothing for a rollout to do.</summary>
    public IReadOnlySet<(Guid EngineId, int Revision)> RevisionsHere { get; init; } = new HashSet<(Guid, int)>();
}
