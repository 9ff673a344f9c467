using FluentValidation;

namespace Controller.Application.Events.Queries.FollowEvents;

public sealed class FollowEventsQueryValidator : AbstractValidator<FollowEventsQuery>
{
    public FollowEventsQueryValidator() => this.AddEventFilterRules(q => q.After, q => q.Types);
}
