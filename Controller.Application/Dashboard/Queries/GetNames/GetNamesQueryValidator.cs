using FluentValidation;

namespace Controller.Application.Dashboard.Queries.GetNames;

public sealed class GetNamesQueryValidator : AbstractValidator<GetNamesQuery>
{
    /// <summary>A page names at most this many of each.</summary>
    public const int MaxIds = 1000;

    public GetNamesQueryValidator()
    {
        RuleFor(q => q.HostIds.Count).LessThanOrEqualTo(MaxIds).OverridePropertyName("hostIds");
        RuleFor(q => q.EngineIds.Count).LessThanOrEqualTo(MaxIds).OverridePropertyName("engineIds");
    }
}
