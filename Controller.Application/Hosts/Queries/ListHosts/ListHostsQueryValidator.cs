using Controller.Application.Common.Models;
using FluentValidation;

namespace Controller.Application.Hosts.Queries.ListHosts;

public sealed class ListHostsQueryValidator : AbstractValidator<ListHostsQuery>
{
    public ListHostsQueryValidator()
    {
        this.AddPagingRules();
        RuleFor(q => q.State).IsInEnum();
    }
}
