using Controller.Application.Common.Models;
using FluentValidation;

namespace Controller.Application.Engines.Queries.ListEngines;

public sealed class ListEnginesQueryValidator : AbstractValidator<ListEnginesQuery>
{
    public ListEnginesQueryValidator() => this.AddPagingRules();
}
