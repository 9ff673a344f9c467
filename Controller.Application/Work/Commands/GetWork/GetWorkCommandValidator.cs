using Controller.Application.Common.Models;
using Controller.Domain.Common;
using Controller.Domain.Work;
using FluentValidation;

namespace Controller.Application.Work.Commands.GetWork;

public sealed class GetWorkCommandValidator : AbstractValidator<GetWorkCommand>
{
    public GetWorkCommandValidator()
    {
        RuleFor(c => c.MaxItems).InclusiveBetween(0, Limits.MaxGetWorkItems);
        RuleFor(c => c.WaitSeconds).InclusiveBetween(0, GetWorkCommand.MaxWaitSeconds);
        RuleFor(c => c.Completed).Must(c => c!.Count <= Limits.MaxGetWorkItems).When(c => c.Completed is not null)
            .WithMessage($"'completed' must hold at most {Limits.MaxGetWorkItems} outcomes.");
        RuleFor(c => c.Completed).Must(c => c!.Where(t => t?.TaskId is not null).Select(t => t!.TaskId).Distinct().Count() == c!.Count(t => t?.TaskId is not null))
            .When(c => c.Completed is not null)
            .WithMessage("'completed' must name each task once.");
        RuleForEach(c => c.Completed).NotNull().SetValidator(new CompletedTaskValidator());
        RuleFor(c => c.Holding).Must(h => h!.Count <= Limits.MaxHeldTasksReported).When(c => c.Holding is not null)
            .WithMessage($"'holding' must name at most {Limits.MaxHeldTasksReported} tasks.");
        RuleFor(c => c.Holding).Must(h => h!.Distinct().Count() == h!.Count).When(c => c.Holding is not null)
            .WithMessage("'holding' must name each task once.");
        RuleForEach(c => c.Holding).NotEqual(Guid.Empty);
        RuleFor(c => c.Holding).Must((c, h) => !h!.Intersect(c.Completed!.Where(t => t?.TaskId is not null).Select(t => t!.TaskId!.Value)).Any())
            .When(c => c.Holding is not null && c.Completed is not null)
            .WithMessage("'holding' must not name a task reported in 'completed'.");
    }
}

public sealed class CompletedTaskValidator : AbstractValidator<CompletedTask>
{
    public CompletedTaskValidator()
    {
        RuleFor(c => c.TaskId).NotNull().NotEqual(Guid.Empty);
        RuleFor(c => c.Outcome).NotNull().IsInEnum();
        RuleFor(c => c.Result).Must(r => JsonText.Compact(r!.Value).Length <= Limits.MaxTaskResultChars)
            .When(c => c.Result is not null)
            .WithMessage($"'result' must be at most {Limits.MaxTaskResultChars} characters of JSON.");
        RuleFor(c => c.Error).MaximumLength(Limits.TaskErrorMaxLength);
        RuleFor(c => c.Result).Null().When(c => c.Outcome == TaskOutcome.Failed).WithMessage("'result' is only kept with 'outcome': 'succeeded'.");
    }
}
