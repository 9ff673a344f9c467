using Controller.Application.Common.Models;
using Controller.Domain.EngineInstances;
using Controller.Domain.Scheduling;

namespace Controller.Application.Common.Interfaces;

public interface IEngineInstanceRepository
{
    Task<EngineInstance?> FindAsync(Guid instanceId, CancellationToken cancellationToken);

    void Add(EngineInstance instance);

    /// <summary>The host's instances that hold resources (pending, starting, running, stopping), tracked.</summary>
    Task<List<EngineInstance>> ListHoldingForHostAsync(Guid hostId, CancellationToken cancellationToken);

    /// <summary>The instances of these hosts that hold resources, tracked: one read for a batch of status rounds.</summary>
    Task<List<EngineInstance>> ListHoldingForHostsAsync(IReadOnlyCollection<Guid> hostIds, CancellationToken cancellationToken);

    /// <summary>The given instances of the host that have ended (stopped, failed, lost): their state and GPUs.</summary>
    Task<Dictionary<Guid, EndedInstance>> EndedStatesAsync(Guid hostId, IReadOnlyCollection<Guid> instanceIds, CancellationToken cancellationToken);

    /// <summary>The copies of the host that failed since <paramref name="since"/>.</summary>
    Task<IReadOnlyList<FailedCopy>> FailuresOnHostSinceAsync(Guid hostId, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>The copies of these engines that failed since <paramref name="since"/>, on any host.</summary>
    Task<IReadOnlyList<FailedCopy>> FailuresOfEnginesSinceAsync(IReadOnlyCollection<Guid> engineIds, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>
    /// Per engine, how many counted copies (not displaced) are running cluster-wide, and how many displaced copies are
    /// still up, as this unit of work sees them (changes made in it and not saved yet included).
    /// </summary>
    Task<Dictionary<Guid, ReplacementCounts>> CountReplacementsAsync(IReadOnlyCollection<Guid> engineIds, CancellationToken cancellationToken);

    /// <summary>
    /// The up copies (pending, starting, running) of these engines cluster-wide, for a rollout's counts, as this unit of
    /// work sees them (changes made in it and not saved yet included).
    /// </summary>
    Task<ILookup<Guid, RolloutCopy>> ListUpCopiesAsync(IReadOnlyCollection<Guid> engineIds, CancellationToken cancellationToken);

    /// <summary>
    /// Per engine, its counted copies (not displaced) running since the given moment or earlier (healthy for a rollout),
    /// cluster-wide, as this unit of work sees them: one count per engine, without reading the copies.
    /// </summary>
    Task<Dictionary<Guid, int>> CountHealthyAsync(IReadOnlyDictionary<Guid, DateTimeOffset> healthySince, CancellationToken cancellationToken);

    /// <summary>Whether any instance of the engine still holds resources somewhere.</summary>
    Task<bool> AnyHoldingForEngineAsync(Guid engineId, CancellationToken cancellationToken);

    Task<(IReadOnlyList<EngineInstance> Items, int Total)> ListAsync(Guid? engineId, Guid? hostId, EngineInstanceState? state, int skip, int take, CancellationToken cancellationToken);
}
