using Controller.Application.Common.Interfaces;
using Controller.Application.Engines.Models;
using Mediator;

namespace Controller.Application.Engines.Commands.ResumeRollout;

/// <summary>The rule is the engine's (<see cref="Domain.Engines.Engine.ResumeRollout"/>); a race lost to a status round is retried on a fresh read.</summary>
public sealed class ResumeRolloutCommandHandler(IEngineRepository engines, IUnitOfWork unitOfWork, IPlacementGate placementGate, TimeProvider clock)
    : ICommandHandler<ResumeRolloutCommand, EngineDto>
{
    public async ValueTask<EngineDto> Handle(ResumeRolloutCommand command, CancellationToken cancellationToken) =>
        await EngineUpdates.RunAsync(unitOfWork, placementGate, async () =>
        {
            var engine = await EngineUpdates.FindLiveAsync(engines, command.EngineId, cancellationToken);
            engine.ResumeRollout(clock.GetUtcNow());
            await unitOfWork.SaveChangesAsync(cancellationToken);
            return engine.ToDto();
        }, cancellationToken);
}
