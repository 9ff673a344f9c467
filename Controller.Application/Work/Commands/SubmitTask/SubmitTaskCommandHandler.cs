using Controller.Application.Work.Models;
using Mediator;

namespace Controller.Application.Work.Commands.SubmitTask;

public sealed class SubmitTaskCommandHandler(TaskSubmitter submitter) : ICommandHandler<SubmitTaskCommand, SubmittedTask>
{
    public async ValueTask<SubmittedTask> Handle(SubmitTaskCommand command, CancellationToken cancellationToken) =>
        (await submitter.SubmitAsync([command.Task], cancellationToken))[0];
}
