using Controller.Application.Common.Interfaces;
using Controller.Application.Work.Models;
using Mediator;

namespace Controller.Application.Work.Queries.GetTask;

public sealed class GetTaskQueryHandler(ITaskRepository tasks, TaskAccess access) : IQueryHandler<GetTaskQuery, TaskDto>
{
    public async ValueTask<TaskDto> Handle(GetTaskQuery query, CancellationToken cancellationToken) =>
        TaskDto.From(access.Visible(await tasks.FindAsync(query.TaskId, cancellationToken), query.TaskId));
}
