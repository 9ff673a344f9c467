using Controller.Domain.EngineInstances;

namespace Controller.Application.Common.Interfaces;

public interface IEngineInstanceRepository
{
    Task<EngineInstance?> FindAsync(Guid instanceId, CancellationToken cancellationToken);

    void Add(EngineInstance instance);

    /// <summary>The host's instances that hold resources (pending, starting, running, stopping), tracked.</summary>
    Task<List<EngineInstance>> ListHoldingForHostAsync(Guid hostId, CancellationToken cancellationToken);

    /// <summary>States of the given instances of the host that have ended (stopped, failed, lost).</summary>
    Task<Dictionary<Guid, EngineInstanceState>> EndedStatesAsync(Guid hostId, IReadOnlyCollection<Guid> instanceIds, CancellationToken cancellationToken);

    /// <summary>Whether any instance of the engine still holds resources somewhere.</summary>
    Task<bool> AnyHoldingForEngineAsync(Guid engineId, CancellationToken cancellationToken);

    Task<(IReadOnlyList<EngineInstance> Items, int Total)> ListAsync(Guid? engineId, Guid? hostId, EngineInstanceState? state, int skip, int take, CancellationToken cancellationToken);
}
