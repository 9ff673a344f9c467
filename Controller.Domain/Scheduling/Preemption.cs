using Controller.Domain.Common;

namespace Controller.Domain.Scheduling;

/// <summary>A copy that could be stopped to make room, with its engine's priority.</summary>
public sealed record PreemptionCandidate(PlacedInstance Copy, int Priority);

/// <summary>
/// Which copies on one host to stop so that one copy of a higher-priority engine fits there (as Kubernetes'
/// PriorityClass preemption): only copies of engines of strictly lower priority that allow it, none when the copy would
/// fit once the stops already under way finish, and of those that would make room, the fewest and least important —
/// every candidate is taken, then the most important ones (highest priority, busy before idle, oldest) are given back
/// one by one while the copy still fits without them. Pure.
/// </summary>
public static class Preemption
{
    /// <summary>Beyond the victims' stop grace, how long their stop may take to be seen (the agent's next reports).</summary>
    public static readonly TimeSpan StopAllowance = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The victims for one copy needing <paramref name="needed"/>, on a host with <paramref name="free"/> resources now and
    /// <paramref name="freeing"/> held by copies already stopping; empty when none are needed or no choice makes room.
    /// </summary>
    public static IReadOnlyList<PlacedInstance> ChooseVictims(Resources free, Resources freeing, Resources needed, int priority, IEnumerable<PreemptionCandidate> candidates)
    {
        var soon = free + freeing;
        if (soon.Fits(needed))
        {
            return []; // it fits once the stops under way finish: nothing more is stopped for it
        }

        var victims = candidates.Where(c => c.Priority < priority).ToList();
        if (!(soon + victims.Select(v => v.Copy.Resources).Sum()).Fits(needed))
        {
            return [];
        }

        // Most important first: each is kept back (not stopped) when the copy fits without it.
        foreach (var candidate in victims.OrderByDescending(c => c.Priority).ThenByDescending(c => c.Copy.Busy).ThenBy(c => c.Copy.CreatedAt).ToList())
        {
            var without = victims.Where(v => v != candidate).Select(v => v.Copy.Resources).Sum();
            if ((soon + without).Fits(needed))
            {
                victims.Remove(candidate);
            }
        }

        return [.. victims.Select(v => v.Copy)];
    }
}
