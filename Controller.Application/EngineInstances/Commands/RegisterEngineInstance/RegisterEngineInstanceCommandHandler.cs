using Controller.Application.Common.Interfaces;
using Controller.Application.EngineInstances.Models;
using Mediator;

namespace Controller.Application.EngineInstances.Commands.RegisterEngineInstance;

public sealed class RegisterEngineInstanceCommandHandler(
    IEngineInstanceRepository instances,
    InstanceDispatch dispatch,
    IUnitOfWork unitOfWork,
    TimeProvider clock)
    : ICommandHandler<RegisterEngineInstanceCommand, EngineInstanceDto>
{
    public async ValueTask<EngineInstanceDto> Handle(RegisterEngineInstanceCommand command, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var instance = await instances.FindAsync(command.InstanceId, cancellationToken) ?? throw EngineInstanceErrors.NotFound(command.InstanceId);
        var healthy = dispatch.ProvesHealthy(instance, now);
        instance.Register(now);
        if (healthy)
        {
            await dispatch.ForgiveFailuresAsync(instance.EngineId, now, cancellationToken);
        }

        await unitOfWork.SaveChangesAsync(cancellationToken);
        return instance.ToDto();
    }
}
