using Controller.Application.Common.Interfaces;
using Controller.Application.EngineInstances.Models;
using Controller.Domain.Engines;
using Controller.Domain.Scheduling;
using Mediator;

namespace Controller.Application.EngineInstances.Commands.StopEngineInstance;

public sealed class StopEngineInstanceCommandHandler(
    IEngineInstanceRepository instances,
    IEngineRepository engines,
    IUnitOfWork unitOfWork,
    IPlacementGate placementGate,
    TimeProvider clock) : ICommandHandler<StopEngineInstanceCommand, EngineInstanceDto>
{
    public const string Reason = "stopped_by_admin";

    public async ValueTask<EngineInstanceDto> Handle(StopEngineInstanceCommand command, CancellationToken cancellationToken)
    {
        using (await placementGate.EnterAsync(cancellationToken))
        {
            var instance = await instances.FindAsync(command.InstanceId, cancellationToken) ?? throw EngineInstanceErrors.NotFound(command.InstanceId);
            var now = clock.GetUtcNow();
            if (instance.RequestStop(Reason, now) && await engines.FindAsync(instance.EngineId, cancellationToken) is { } engine)
            {
                EngineCounts.Release([instance], new Dictionary<Guid, Engine> { [engine.Id] = engine }, now, backoff: null);
            }

            await unitOfWork.SaveChangesAsync(cancellationToken);
            return instance.ToDto();
        }
    }
}
