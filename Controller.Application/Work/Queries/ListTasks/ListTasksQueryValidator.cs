using Controller.Domain.Common;
using FluentValidation;

namespace Controller.Application.Work.Queries.ListTasks;

public sealed class ListTasksQueryValidator : AbstractValidator<ListTasksQuery>
{
    public ListTasksQueryValidator()
    {
        RuleFor(q => q.State).IsInEnum();
        RuleFor(q => q.Limit).InclusiveBetween(1, Limits.MaxPageSize);
        RuleFor(q => q.Cursor).Must(c => TaskCursor.TryParse(c, out _)).When(q => q.Cursor is not null)
            .WithMessage("'cursor' must be the 'nextCursor' of a previous page.");
    }
}
