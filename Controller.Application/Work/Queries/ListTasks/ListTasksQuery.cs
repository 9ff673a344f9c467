using Controller.Application.Work.Models;
using Controller.Domain.Work;
using Mediator;

namespace Controller.Application.Work.Queries.ListTasks;

/// <summary>Tasks newest first, by engine and state; <paramref name="Cursor"/> is the previous page's <c>nextCursor</c>.</summary>
public sealed record ListTasksQuery(Guid? EngineId, WorkTaskState? State, string? Cursor, int Limit = ListTasksQuery.DefaultLimit) : IQuery<TaskPage>
{
    public const int DefaultLimit = 100;
}
