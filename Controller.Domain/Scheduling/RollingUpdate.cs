using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;

namespace Controller.Domain.Scheduling;

/// <summary>
/// The rolling update's two bounds (Kubernetes' <c>maxSurge</c> and <c>maxUnavailable</c>). Launches: copies of the new
/// revision up to the desired count, never more than the surge above it in all (<see cref="Engine.Deficit"/>). Stops:
/// outdated copies that are not healthy at any time (they count for nothing), healthy ones only while at least the desired
/// count less the unavailability stays healthy; none while the rollout is paused.
/// </summary>
public static class RollingUpdate
{
    /// <summary>A copy counts healthy once it has been running for the policy's time: since <paramref name="healthySince"/> or earlier.</summary>
    public static bool IsHealthy(EngineInstanceState state, DateTimeOffset? runningSince, DateTimeOffset healthySince) =>
        state == EngineInstanceState.Running && runningSince is { } since && since <= healthySince;

    /// <summary>The moment a copy must have been running since to count healthy at <paramref name="now"/>.</summary>
    public static DateTimeOffset HealthySince(Engine engine, DateTimeOffset now) => now - TimeSpan.FromSeconds(engine.UpdatePolicy.HealthyAfterSeconds);

    /// <summary>The engine's up copies counted (not displaced) cluster-wide: healthy ones of any revision, and of the current one.</summary>
    public static RolloutCounts Count(Engine engine, IEnumerable<RolloutCopy> copies, DateTimeOffset now)
    {
        var since = HealthySince(engine, now);
        var healthy = copies.Where(c => !c.Displaced && IsHealthy(c.State, c.RunningSince, since)).ToList();
        return new RolloutCounts(healthy.Count, healthy.Count(c => c.Revision == engine.Revision));
    }

    /// <summary>The engine's counted copies (not displaced) of <paramref name="revision"/>: those that count as current once it is current again.</summary>
    public static int CountedOf(IEnumerable<RolloutCopy> copies, int revision) => copies.Count(c => !c.Displaced && c.Revision == revision);

    /// <summary>What a status round needs to replace this engine's outdated copies on one host: <paramref name="healthy"/> counted copies are healthy cluster-wide.</summary>
    public static RolloutDemand Demand(Engine engine, int healthy, DateTimeOffset now) => new(HealthySince(engine, now), HealthyStopsAllowed(engine, healthy));

    /// <summary>
    /// How many healthy outdated copies may stop now, cluster-wide: <paramref name="healthy"/> counted copies (of any
    /// revision) are healthy; the engine keeps <c>desired − maxUnavailable</c> of them.
    /// </summary>
    public static int HealthyStopsAllowed(Engine engine, int healthy) =>
        engine.RolloutPausedReason is not null ? 0 : Math.Max(0, healthy - (engine.Target - engine.UpdatePolicy.UnavailableFor(engine.Target)));

    /// <summary>
    /// The outdated copies among <paramref name="copies"/> (one host's counted copies of the engine) to stop in this round:
    /// every one not healthy, then healthy ones, idle first, up to the rollout's allowance.
    /// </summary>
    public static IReadOnlyList<PlacedInstance> Replace(IReadOnlyList<PlacedInstance> copies, int revision, RolloutDemand rollout)
    {
        var outdated = copies.Where(i => i.Revision != revision).ToList();
        var replaced = outdated.Where(i => !i.HealthyAsOf(rollout.HealthySince)).ToList();
        replaced.AddRange(outdated.Where(i => i.HealthyAsOf(rollout.HealthySince)).OrderBy(i => i.Busy).ThenBy(i => i.CreatedAt).Take(rollout.HealthyStopsAllowed));
        return replaced;
    }

    /// <summary>
    /// A copy stopped by a rolling update while it held work finishes that work first: its engine learns of the stop
    /// through getwork (<c>terminate</c> once it holds no task) and its heartbeat, and ends on its own; its container is
    /// told to terminate only if it is still there once the copy's stop grace has passed since the stop.
    /// </summary>
    public static bool FinishesWork(EngineInstance copy, DateTimeOffset now) => now - copy.StateChangedAt < ExtraStopTime(copy);

    /// <summary>
    /// How much longer than other stopping copies this one may stay stopping before it is counted gone: the stop grace of a
    /// busy copy stopped by a rolling update (<see cref="FinishesWork"/>), nothing for any other.
    /// </summary>
    public static TimeSpan ExtraStopTime(EngineInstance copy) =>
        copy is { State: EngineInstanceState.Stopping, StopReason: Scheduler.ReasonRollingUpdate, Busy: true } ? TimeSpan.FromSeconds(copy.StopGraceSeconds) : TimeSpan.Zero;
}

/// <summary>One up copy of an engine as a rollout counts it.</summary>
public sealed record RolloutCopy(int Revision, EngineInstanceState State, DateTimeOffset? RunningSince, bool Displaced);

/// <summary>Healthy counted copies of an engine: of any revision, and of its current one.</summary>
public sealed record RolloutCounts(int Healthy, int CurrentHealthy)
{
    /// <summary>Copies below the desired count among the healthy ones.</summary>
    public int Unavailable(Engine engine) => Math.Max(0, engine.Target - Healthy);
}
