using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;

namespace Controller.Domain.Scheduling;

/// <summary>
/// Back-off after failed copies: the first pause, doubling per failed round up to the maximum. Only copies that fail
/// before they have run for <paramref name="HealthyAfter"/> count (a crash loop); a copy that ran that long and then
/// failed was unlucky, and is replaced at once.
/// </summary>
public sealed record BackoffPolicy(TimeSpan First, TimeSpan Max, TimeSpan HealthyAfter);

/// <summary>
/// The one rule for copies that leave their engine's count (stopped, failed, lost, displaced): the engine's
/// count is released, and an engine whose copies failed before running healthy backs off by one step per round,
/// however many copies failed together (an agent restart that loses every container is one failure, not ten).
/// Copies lost with their host, and copies that had run healthy, never count as failures.
/// </summary>
public static class EngineCounts
{
    /// <param name="left">Instances whose transition returned true (they left the count) in this round.</param>
    /// <param name="engines">The engines, tracked for saving; an instance of an engine not listed is skipped (it left the catalogue).</param>
    /// <param name="now">The controller's clock.</param>
    /// <param name="backoff">Null when failures must not back off (for example copies lost with their host).</param>
    /// <returns>The engines whose count changed.</returns>
    public static IReadOnlyCollection<Engine> Release(IEnumerable<EngineInstance> left, IReadOnlyDictionary<Guid, Engine> engines, DateTimeOffset now, BackoffPolicy? backoff)
    {
        var changed = new Dictionary<Guid, Engine>();
        var failed = new HashSet<Guid>();
        var failedCurrent = new HashSet<Guid>();
        foreach (var instance in left)
        {
            if (!engines.TryGetValue(instance.EngineId, out var engine))
            {
                continue;
            }

            engine.ReleaseInstance(instance.Revision);
            changed[engine.Id] = engine;
            if (instance.State == EngineInstanceState.Failed && (backoff is null || !instance.RanHealthyFor(backoff.HealthyAfter)))
            {
                failed.Add(engine.Id);
                // A crash loop of the revision: its container exited on its own (not lost with its host or agent).
                if (instance.Revision == engine.Revision && instance.StopReason == EngineInstance.ReasonExited)
                {
                    failedCurrent.Add(engine.Id);
                }
            }
        }

        if (backoff is not null)
        {
            foreach (var engineId in failed)
            {
                engines[engineId].RecordFailure(now, backoff.First, backoff.Max);
            }

            foreach (var engineId in failedCurrent)
            {
                engines[engineId].RecordRevisionFailure(now);
            }
        }

        return changed.Values;
    }
}
