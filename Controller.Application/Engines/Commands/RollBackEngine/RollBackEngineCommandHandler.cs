using Controller.Application.Common.Interfaces;
using Controller.Application.Engines.Models;
using Controller.Domain.Engines;
using Controller.Domain.Scheduling;
using Mediator;

namespace Controller.Application.Engines.Commands.RollBackEngine;

/// <summary>
/// Goes back to an earlier revision: its definition becomes the engine's again, and its copies still up count as
/// current. The copies are counted after the engine row is read, so a round that changed them since conflicts with this
/// save (it writes the engine row) and the rollback is done again on fresh counts.
/// </summary>
public sealed class RollBackEngineCommandHandler(
    IEngineRepository engines,
    IEngineRevisionRepository revisions,
    IEngineInstanceRepository instances,
    IUnitOfWork unitOfWork,
    IPlacementGate placementGate,
    TimeProvider clock) : ICommandHandler<RollBackEngineCommand, EngineDto>
{
    public async ValueTask<EngineDto> Handle(RollBackEngineCommand command, CancellationToken cancellationToken) =>
        await EngineUpdates.RunAsync(unitOfWork, placementGate, async () =>
        {
            var engine = await EngineUpdates.FindLiveAsync(engines, command.EngineId, cancellationToken);
            var number = command.Revision ?? DefaultTarget(engine, await revisions.ListAsync(engine.Id, cancellationToken));
            var revision = number is null ? null : await revisions.FindAsync(engine.Id, number.Value, cancellationToken);
            if (revision is null)
            {
                throw EngineErrors.RevisionNotFound(engine.Id, command.Revision);
            }

            var copies = RollingUpdate.CountedOf((await instances.ListUpCopiesAsync([engine.Id], cancellationToken))[engine.Id], revision.Number);
            engine.RollBack(revision, copies, automatic: false, clock.GetUtcNow());
            await unitOfWork.SaveChangesAsync(cancellationToken);
            return engine.ToDto();
        }, cancellationToken);

    /// <summary>The stable revision when it is not the current one, else the newest kept revision before the current one.</summary>
    private static int? DefaultTarget(Engine engine, IReadOnlyList<EngineRevision> kept) =>
        engine.StableRevision is { } stable && stable != engine.Revision
            ? stable
            : kept.Where(r => r.Number < engine.Revision).Select(r => (int?)r.Number).FirstOrDefault();
}
