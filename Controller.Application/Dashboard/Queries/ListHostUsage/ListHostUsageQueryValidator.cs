using Controller.Application.Common.Models;
using FluentValidation;

namespace Controller.Application.Dashboard.Queries.ListHostUsage;

public sealed class ListHostUsageQueryValidator : AbstractValidator<ListHostUsageQuery>
{
    public ListHostUsageQueryValidator()
    {
        this.AddPagingRules();
        RuleFor(q => q.State).IsInEnum();
    }
}
