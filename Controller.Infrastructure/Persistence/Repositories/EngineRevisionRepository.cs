using Controller.Application.Common.Interfaces;
using Controller.Domain.Engines;
using Microsoft.EntityFrameworkCore;

namespace Controller.Infrastructure.Persistence.Repositories;

internal sealed class EngineRevisionRepository(ControllerDbContext db) : IEngineRevisionRepository
{
    public void Add(EngineRevision revision) => db.EngineRevisions.Add(revision);

    public Task<EngineRevision?> FindAsync(Guid engineId, int number, CancellationToken cancellationToken) =>
        db.EngineRevisions.AsNoTracking().FirstOrDefaultAsync(r => r.EngineId == engineId && r.Number == number, cancellationToken);

    public async Task<IReadOnlyList<EngineRevision>> ListAsync(Guid engineId, CancellationToken cancellationToken) =>
        await db.EngineRevisions.AsNoTracking().Where(r => r.EngineId == engineId).OrderByDescending(r => r.Number).ToListAsync(cancellationToken);

    public Task PruneAsync(Engine engine, CancellationToken cancellationToken)
    {
        var below = engine.LastRevision - EngineRevision.KeptPerEngine;
        var stable = engine.StableRevision ?? engine.Revision;
        return below < 1
            ? Task.CompletedTask
            : db.EngineRevisions.Where(r => r.EngineId == engine.Id && r.Number <= below && r.Number != engine.Revision && r.Number != stable)
                .ExecuteDeleteAsync(cancellationToken);
    }
}
