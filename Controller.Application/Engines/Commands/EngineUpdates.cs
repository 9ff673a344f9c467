using Controller.Application.Common.Interfaces;
using Controller.Application.Engines.Models;
using Controller.Domain.Engines;

namespace Controller.Application.Engines.Commands;

/// <summary>What the admin commands that change an engine share: the live engine or 404, and how often a lost race is retried.</summary>
internal static class EngineUpdates
{
    /// <summary>An admin's change that loses a race with the placement rounds (which write the engine's counts) is done again from a fresh read, this many times in all.</summary>
    public const int Attempts = 8;

    public static async Task<Engine> FindLiveAsync(IEngineRepository engines, Guid engineId, CancellationToken cancellationToken)
    {
        var engine = await engines.FindAsync(engineId, cancellationToken);
        return engine is null || engine.State == EngineState.Deleted ? throw EngineErrors.NotFound(engineId) : engine;
    }
}
