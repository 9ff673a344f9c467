using Controller.Application.Work.Models;
using FluentValidation;

namespace Controller.Application.Work.Commands.SubmitTask;

public sealed class SubmitTaskCommandValidator : AbstractValidator<SubmitTaskCommand>
{
    public SubmitTaskCommandValidator() => RuleFor(c => c.Task).NotNull().SetValidator(new TaskSubmissionValidator()).OverridePropertyName(string.Empty);
}
