using Controller.Domain.Common;
using FluentValidation;

namespace Controller.Application.Events.Queries.ListEvents;

public sealed class ListEventsQueryValidator : AbstractValidator<ListEventsQuery>
{
    public ListEventsQueryValidator()
    {
        this.AddEventFilterRules(q => q.After, q => q.Types);
        RuleFor(q => q.Limit).InclusiveBetween(1, Limits.MaxPageSize);
    }
}
