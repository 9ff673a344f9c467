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

    Task<(IReadOnlyList<Engine> Items, int Total)> ListAsync(bool includeDeleting, int skip, int take, CancellationToken cancellationToken);
}
