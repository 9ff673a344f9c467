using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Domain.Engines;

namespace Controller.Application.Scheduling;

/// <summary>Deleted engines whose last copy is gone leave the catalogue.</summary>
public sealed class EngineDeletionSweep(IEngineRepository engines, IEngineInstanceRepository instances, IUnitOfWork unitOfWork, IPlacementGate placementGate)
{
    public async Task<int> CompleteAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var completed = 0;
        using var _ = await placementGate.EnterAsync(cancellationToken);
        foreach (var engine in (await engines.ListLiveForUpdateAsync(cancellationToken)).Where(e => e.State == EngineState.Deleting && e.ActiveInstances == 0))
        {
            if (!await instances.AnyHoldingForEngineAsync(engine.Id, cancellationToken))
            {
                engine.CompleteDeletion(now);
                completed++;
            }
        }

        try
        {
            await unitOfWork.SaveChangesAsync(cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            completed = 0;
        }

        unitOfWork.Reset();
        return completed;
    }
}
