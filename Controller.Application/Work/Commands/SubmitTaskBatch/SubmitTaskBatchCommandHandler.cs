using Controller.Application.Work.Commands.SubmitTask;
using Controller.Application.Work.Models;
using Mediator;

namespace Controller.Application.Work.Commands.SubmitTaskBatch;

public sealed class SubmitTaskBatchCommandHandler(TaskSubmitter submitter) : ICommandHandler<SubmitTaskBatchCommand, IReadOnlyList<SubmittedTask>>
{
    public async ValueTask<IReadOnlyList<SubmittedTask>> Handle(SubmitTaskBatchCommand command, CancellationToken cancellationToken) =>
        await submitter.SubmitAsync(command.Tasks!, cancellationToken);
}
