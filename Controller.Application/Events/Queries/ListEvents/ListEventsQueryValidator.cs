using Controller.Domain.Common;
using Controller.Domain.Events;
using FluentValidation;

namespace Controller.Application.Events.Queries.ListEvents;

public sealed class ListEventsQueryValidator : AbstractValidator<ListEventsQuery>
{
    public ListEventsQueryValidator()
    {
        RuleFor(q => q.After).GreaterThanOrEqualTo(0);
        RuleFor(q => q.Limit).InclusiveBetween(1, Limits.MaxPageSize);
        RuleFor(q => q.Types).Must(t => t.Count <= ClusterEventTypes.All.Count).WithMessage("'type' may be given at most once per event type.");
        RuleForEach(q => q.Types).Must(t => ClusterEventTypes.All.Contains(t))
            .WithMessage(t => $"'type' must be one of: {string.Join(", ", ClusterEventTypes.All)}.");
    }
}
