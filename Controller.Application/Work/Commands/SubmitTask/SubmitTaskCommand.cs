using Controller.Application.Work.Models;
using Mediator;

namespace Controller.Application.Work.Commands.SubmitTask;

/// <summary>Submit one task; a repeat with the same idempotency key answers the task it created.</summary>
public sealed record SubmitTaskCommand(TaskSubmission Task) : ICommand<SubmittedTask>;
