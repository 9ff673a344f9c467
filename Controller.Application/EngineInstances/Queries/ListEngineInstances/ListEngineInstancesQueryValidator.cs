using Controller.Application.Common.Models;
using FluentValidation;

namespace Controller.Application.EngineInstances.Queries.ListEngineInstances;

public sealed class ListEngineInstancesQueryValidator : AbstractValidator<ListEngineInstancesQuery>
{
    public ListEngineInstancesQueryValidator()
    {
        this.AddPagingRules();
        RuleFor(q => q.State).IsInEnum();
    }
}
