using Controller.Application.Common.Interfaces;
using Controller.Application.Work.Models;
using Mediator;

namespace Controller.Application.Work.Queries.GetTask;

public sealed class GetTaskQueryHandler(ITaskRepository tasks) : IQueryHandler<GetTaskQuery, TaskDto>
{
    public async ValueTask<TaskDto> Handle(GetTaskQuery query, CancellationToken cancellationToken) =>
        TaskDto.From(await tasks.FindAsync(query.TaskId, cancellationToken) ?? throw WorkErrors.TaskNotFound(query.TaskId));
}
