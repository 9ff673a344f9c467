using Controller.Application.Common.Interfaces;
using Controller.Domain.Engines;

namespace Controller.Application.Engines.Commands;

/// <summary>Where an admin's change of an engine is kept: the engine, its revisions, the unit of work, and the clock.</summary>
internal sealed record EngineStore(IEngineRepository Engines, IEngineRevisionRepository Revisions, IUnitOfWork UnitOfWork, TimeProvider Clock);

/// <summary>What the admin commands that change an engine share: the live engine or 404, and the retry of a lost race.</summary>
internal static class EngineUpdates
{
    /// <summary>
    /// Runs the change under the placement gate, so that this replica's placement rounds (which write the engine's
    /// counts many times a second during a scale-up) do not keep winning the race; a race lost to another replica is
    /// retried from a fresh read.
    /// </summary>
    public static Task<T> RunAsync<T>(IUnitOfWork unitOfWork, IPlacementGate placementGate, Func<Task<T>> change, CancellationToken cancellationToken) =>
        Common.ConflictRetry.RunAsync(unitOfWork, async () =>
        {
            using (await placementGate.EnterAsync(cancellationToken))
            {
                return await change();
            }
        });

    public static async Task<Engine> FindLiveAsync(IEngineRepository engines, Guid engineId, CancellationToken cancellationToken)
    {
        var engine = await engines.FindAsync(engineId, cancellationToken);
        return engine is null || engine.State == EngineState.Deleted ? throw EngineErrors.NotFound(engineId) : engine;
    }
}
