using Controller.Application.Common.Models;
using FluentValidation;

namespace Controller.Application.Tokens.Queries.ListTokens;

public sealed class ListTokensQueryValidator : AbstractValidator<ListTokensQuery>
{
    public ListTokensQueryValidator()
    {
        this.AddPagingRules();
        RuleFor(q => q.Kind).IsInEnum();
    }
}
