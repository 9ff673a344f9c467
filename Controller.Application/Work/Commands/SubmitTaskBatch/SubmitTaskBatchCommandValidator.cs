using Controller.Application.Work.Models;
using Controller.Domain.Common;
using FluentValidation;

namespace Controller.Application.Work.Commands.SubmitTaskBatch;

public sealed class SubmitTaskBatchCommandValidator : AbstractValidator<SubmitTaskBatchCommand>
{
    public SubmitTaskBatchCommandValidator()
    {
        RuleFor(c => c.Tasks).Cascade(CascadeMode.Stop).NotEmpty().Must(t => t!.Count <= Limits.MaxTasksPerBatch)
            .WithMessage($"'tasks' must hold between 1 and {Limits.MaxTasksPerBatch} tasks.");
        RuleForEach(c => c.Tasks).NotNull().SetValidator(new TaskSubmissionValidator());
    }
}
