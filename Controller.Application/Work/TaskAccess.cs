using Controller.Application.Common.Security;
using Controller.Domain.Tokens;
using Controller.Domain.Work;

namespace Controller.Application.Work;

/// <summary>
/// Which tasks the caller may see and cancel: a <c>client</c> token only the tasks it submitted (another client's are
/// "not found", so ids cannot be probed); admins every task.
/// </summary>
public sealed class TaskAccess(ICurrentCaller caller)
{
    /// <summary>The submitter the caller is limited to; null for admins.</summary>
    public Guid? OnlySubmittedBy => caller.Kind == TokenKind.Client ? caller.TokenId ?? Guid.Empty : null;

    /// <summary>The token recorded as a new task's submitter.</summary>
    public Guid? Submitter => caller.TokenId;

    /// <summary>The task when the caller may see it; else 404, as for a task that does not exist.</summary>
    public WorkTask Visible(WorkTask? task, Guid taskId) =>
        task is not null && task.IsVisibleTo(OnlySubmittedBy) ? task : throw WorkErrors.TaskNotFound(taskId);
}
