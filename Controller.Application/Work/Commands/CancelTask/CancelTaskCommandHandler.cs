using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Application.Work.Models;
using Mediator;

namespace Controller.Application.Work.Commands.CancelTask;

public sealed class CancelTaskCommandHandler(ITaskRepository tasks, IUnitOfWork unitOfWork, TimeProvider clock) : ICommandHandler<CancelTaskCommand, TaskDto>
{
    private const int Attempts = 5;

    public async ValueTask<TaskDto> Handle(CancelTaskCommand command, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var task = await tasks.FindAsync(command.TaskId, cancellationToken) ?? throw WorkErrors.TaskNotFound(command.TaskId);
            if (!task.Cancel(clock.GetUtcNow()))
            {
                return TaskDto.From(task);
            }

            try
            {
                await unitOfWork.SaveChangesAsync(cancellationToken);
                return TaskDto.From(task);
            }
            catch (ConcurrencyConflictException) when (attempt < Attempts)
            {
                // The task was leased, completed or expired meanwhile: decide again on what it is now.
                unitOfWork.Reset();
            }
        }
    }
}
