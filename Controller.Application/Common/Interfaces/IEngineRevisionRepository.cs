using Controller.Domain.Engines;

namespace Controller.Application.Common.Interfaces;

/// <summary>The revisions of engines: what each revision's copies run.</summary>
public interface IEngineRevisionRepository
{
    void Add(EngineRevision revision);

    Task<EngineRevision?> FindAsync(Guid engineId, int number, CancellationToken cancellationToken);

    /// <summary>The engine's revisions kept, newest first.</summary>
    Task<IReadOnlyList<EngineRevision>> ListAsync(Guid engineId, CancellationToken cancellationToken);

    /// <summary>Forgets revisions older than the last <see cref="EngineRevision.KeptPerEngine"/>, except the engine's current and stable ones (after a save).</summary>
    Task PruneAsync(Engine engine, CancellationToken cancellationToken);
}
