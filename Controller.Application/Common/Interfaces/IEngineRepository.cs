using Controller.Domain.Engines;

namespace Controller.Application.Common.Interfaces;

public interface IEngineRepository
{
    Task<Engine?> FindAsync(Guid engineId, CancellationToken cancellationToken);

    Task<Engine?> FindLiveByNameAsync(string name, CancellationToken cancellationToken);

    void Add(Engine engine);

    /// <summary>Every engine that is not deleted, tracked for update (the catalogue is small).</summary>
    Task<IReadOnlyList<Engine>> ListLiveForUpdateAsync(CancellationToken cancellationToken);

    /// <summary>Every engine that is not deleted, read without tracking.</summary>
    Task<IReadOnlyList<Engine>> ListLiveAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The save moves this tracked engine's version even if nothing of it changed: a decision taken on the engine's
    /// copies cluster-wide (not on its row) then conflicts with any other save that changed or touched the engine meanwhile.
    /// </summary>
    void Touch(Engine engine);

    Task<(IReadOnlyList<Engine> Items, int Total)> ListAsync(bool includeDeleting, int skip, int take, CancellationToken cancellationToken);
}
