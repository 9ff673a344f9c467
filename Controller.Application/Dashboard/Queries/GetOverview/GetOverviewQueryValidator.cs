using FluentValidation;

namespace Controller.Application.Dashboard.Queries.GetOverview;

public sealed class GetOverviewQueryValidator : AbstractValidator<GetOverviewQuery>
{
    public GetOverviewQueryValidator() => RuleFor(q => q.RecentEvents).InclusiveBetween(0, 100);
}
