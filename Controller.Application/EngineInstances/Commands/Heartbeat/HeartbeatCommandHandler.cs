using Controller.Application.Common;
using Controller.Application.Common.Interfaces;
using Controller.Application.EngineInstances.Models;
using FluentValidation;
using Mediator;

namespace Controller.Application.EngineInstances.Commands.Heartbeat;

/// <summary>
/// Liveness, and the leases of the tasks the instance holds run for another timeout; whether it may take work is the
/// rule getwork uses. Retried from fresh reads when it loses a race.
/// </summary>
public sealed class HeartbeatCommandHandler(
    IEngineInstanceRepository instances,
    ITaskRepository tasks,
    InstanceDispatch dispatch,
    IUnitOfWork unitOfWork,
    TimeProvider clock)
    : ICommandHandler<HeartbeatCommand, HeartbeatAnswer>
{
    public async ValueTask<HeartbeatAnswer> Handle(HeartbeatCommand command, CancellationToken cancellationToken) =>
        await ConflictRetry.RunAsync(unitOfWork, () => BeatAsync(command, cancellationToken));

    private async Task<HeartbeatAnswer> BeatAsync(HeartbeatCommand command, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var instance = await instances.FindAsync(command.InstanceId, cancellationToken) ?? throw EngineInstanceErrors.NotFound(command.InstanceId);
        var mine = await tasks.ListHeldByAsync(instance.Id, now, cancellationToken);
        var held = mine.Count(t => t.ExtendLease(instance.Id, now));

        // An instance holding tasks is busy whatever it says: a scale-down takes idle copies first.
        var healthy = dispatch.ProvesHealthy(instance, now);
        instance.Heartbeat(command.Busy || held > 0, now);
        if (healthy)
        {
            await dispatch.ForgiveFailuresAsync(instance.EngineId, now, cancellationToken);
        }

        // A displaced copy keeps running (without new work on a draining host) until its replacement runs; it is stopped through its host.
        var verdict = await dispatch.DecideAsync(instance, held, cancellationToken);
        await unitOfWork.SaveChangesAsync(cancellationToken);
        var cancelled = mine.Where(t => t.IsCancellationNoticeFor(instance.Id, now)).Select(t => t.Id).ToList();
        return new HeartbeatAnswer(verdict.MayTakeWork, !instance.IsUp, instance.State, cancelled);
    }
}
