using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Domain.Scheduling;

namespace Controller.Application.Scheduling;

/// <summary>
/// Rollouts under way, counted: each completes once no outdated copy is left and the desired count runs healthy,
/// records its progress, pauses when it made none within its deadline, and with <c>autoRevert</c> a paused rollout goes
/// back to the engine's stable revision. The copies are counted after the engine rows are read, so a round that changed
/// them since conflicts with this save (it writes the engine row); the sweep then looks again at its next run.
/// </summary>
public sealed class RolloutSweep(
    IEngineRepository engines,
    IEngineRevisionRepository revisions,
    IEngineInstanceRepository instances,
    IUnitOfWork unitOfWork,
    IPlacementGate placementGate)
{
    /// <summary>Returns how many rollouts ended (completed or reverted).</summary>
    public async Task<int> ObserveAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var _ = await placementGate.EnterAsync(cancellationToken);
        var rolling = (await engines.ListLiveForUpdateAsync(cancellationToken)).Where(e => e.RollingOut).ToList();
        if (rolling.Count == 0)
        {
            unitOfWork.Reset();
            return 0;
        }

        var ended = 0;
        var copies = await instances.ListUpCopiesAsync([.. rolling.Select(e => e.Id)], cancellationToken);
        foreach (var engine in rolling)
        {
            var revert = engine.ObserveRollout(RollingUpdate.Count(engine, copies[engine.Id], now).CurrentHealthy, now);
            if (revert && await revisions.FindAsync(engine.Id, engine.StableRevision!.Value, cancellationToken) is { } stable)
            {
                engine.RollBack(stable, RollingUpdate.CountedOf(copies[engine.Id], stable.Number), automatic: true, now);
            }

            ended += engine.RollingOut ? 0 : 1;
        }

        try
        {
            await unitOfWork.SaveChangesAsync(cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            ended = 0;
        }

        unitOfWork.Reset();
        return ended;
    }
}
