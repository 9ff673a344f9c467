using Controller.Application.Work.Models;
using Mediator;

namespace Controller.Application.Work.Commands.CancelTask;

/// <summary>Cancel a queued or leased task (a leased task's instance is told through heartbeat and getwork).</summary>
public sealed record CancelTaskCommand(Guid TaskId) : ICommand<TaskDto>;
