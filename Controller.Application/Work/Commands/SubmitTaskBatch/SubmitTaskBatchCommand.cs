using Controller.Application.Work.Models;
using Mediator;

namespace Controller.Application.Work.Commands.SubmitTaskBatch;

/// <summary>Submit up to <see cref="Domain.Common.Limits.MaxTasksPerBatch"/> tasks at once: all are stored, or none.</summary>
public sealed record SubmitTaskBatchCommand(IReadOnlyList<TaskSubmission>? Tasks) : ICommand<IReadOnlyList<SubmittedTask>>;
