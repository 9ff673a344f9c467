using Controller.Application.Common;
using Controller.Application.Common.Interfaces;
using Controller.Application.Work.Models;
using Mediator;

namespace Controller.Application.Work.Commands.CancelTask;

public sealed class CancelTaskCommandHandler(ITaskRepository tasks, TaskAccess access, IUnitOfWork unitOfWork, TimeProvider clock) : ICommandHandler<CancelTaskCommand, TaskDto>
{

    // A race means the task was leased, completed or expired meanwhile: decide again on what it is now.
    public async ValueTask<TaskDto> Handle(CancelTaskCommand command, CancellationToken cancellationToken) =>
        await ConflictRetry.RunAsync(unitOfWork, async () =>
        {
            var task = access.Visible(await tasks.FindAsync(command.TaskId, cancellationToken), command.TaskId);
            if (task.Cancel(clock.GetUtcNow()))
            {
                await unitOfWork.SaveChangesAsync(cancellationToken);
            }

            return TaskDto.From(task);
        });
}
