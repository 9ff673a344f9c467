using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Application.Work.Models;
using Mediator;

namespace Controller.Application.Work.Queries.ListTasks;

public sealed class ListTasksQueryHandler(ITaskRepository tasks, TaskAccess access) : IQueryHandler<ListTasksQuery, TaskPage>
{
    public async ValueTask<TaskPage> Handle(ListTasksQuery query, CancellationToken cancellationToken)
    {
        if (!TaskCursor.TryParse(query.Cursor, out var before))
        {
            throw new RequestValidationException(new Dictionary<string, string[]> { ["cursor"] = ["'cursor' must be the 'nextCursor' of a previous page."] });
        }

        // One more than asked tells whether another page follows, without counting.
        var rows = await tasks.ListAsync(query.EngineId, query.State, access.OnlySubmittedBy, before, query.Limit + 1, cancellationToken);
        var page = rows.Take(query.Limit).Select(TaskDto.From).ToList();
        return new TaskPage(page, rows.Count > query.Limit ? TaskCursor.Format(page[^1].TaskId) : null);
    }
}

/// <summary>The cursor is the last task id of a page (tasks are listed by id, newest first).</summary>
public static class TaskCursor
{
    public static string Format(Guid lastTaskId) => lastTaskId.ToString("N");

    public static bool TryParse(string? cursor, out Guid? before)
    {
        before = null;
        if (cursor is null)
        {
            return true;
        }

        if (cursor.Length == 32 && Guid.TryParseExact(cursor, "N", out var id))
        {
            before = id;
            return true;
        }

        return false;
    }
}
