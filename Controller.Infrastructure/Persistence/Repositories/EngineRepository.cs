using Controller.Application.Common.Interfaces;
using Controller.Domain.Engines;
using Microsoft.EntityFrameworkCore;

namespace Controller.Infrastructure.Persistence.Repositories;

internal sealed class EngineRepository(ControllerDbContext db) : IEngineRepository
{
    public Task<Engine?> FindAsync(Guid engineId, CancellationToken cancellationToken) =>
        db.Engines.FirstOrDefaultAsync(e => e.Id == engineId, cancellationToken);

    public Task<Engine?> FindLiveByNameAsync(string name, CancellationToken cancellationToken) =>
        db.Engines.FirstOrDefaultAsync(e => EF.Property<string?>(e, "LiveName") == name, cancellationToken);

    public void Add(Engine engine) => db.Engines.Add(engine);

    // A modified property makes the entry modified: the save stamps a new version and checks the old one.
    // A modified property makes the entry modified: the save stamps a new version and checks the old one.
    public void Touch(Engine engine) => db.Entry(engine).Property(e => e.Version).IsModified = true;

    // Compiled: read by every status round that changes counts.
    private static readonly Func<ControllerDbContext, IAsyncEnumerable<Engine>> Live =
        EF.CompileAsyncQuery((ControllerDbContext db) => db.Engines.Where(e => e.State != EngineState.Deleted));

    public async Task<IReadOnlyList<Engine>> ListLiveForUpdateAsync(CancellationToken cancellationToken)
    {
        var live = new List<Engine>();
        await foreach (var engine in Live(db).WithCancellation(cancellationToken))
        {
            live.Add(engine);
        }

        return live;
    }

    public async Task<IReadOnlyList<Engine>> ListLiveAsync(CancellationToken cancellationToken) =>
        await db.Engines.AsNoTracking().Where(e => e.State != EngineState.Deleted).ToListAsync(cancellationToken);

    public async Task<(IReadOnlyList<Engine> Items, int Total)> ListAsync(bool includeDeleting, int skip, int take, CancellationToken cancellationToken)
    {
        var query = db.Engines.AsNoTracking().Where(e => e.State != EngineState.Deleted);
        if (!includeDeleting)
        {
            query = query.Where(e => e.State == EngineState.Active);
        }

        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderBy(e => e.Name).Skip(skip).Take(take).ToListAsync(cancellationToken);
        return (items, total);
    }
}
