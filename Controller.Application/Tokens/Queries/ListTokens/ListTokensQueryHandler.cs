using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Models;
using Controller.Application.Tokens.Models;
using Mediator;

namespace Controller.Application.Tokens.Queries.ListTokens;

public sealed class ListTokensQueryHandler(ITokenRepository tokens) : IQueryHandler<ListTokensQuery, PagedResult<TokenDto>>
{
    public async ValueTask<PagedResult<TokenDto>> Handle(ListTokensQuery query, CancellationToken cancellationToken)
    {
        var (items, total) = await tokens.ListAsync(query.Kind, query.IncludeRevoked, query.Skip(), query.PageSize, cancellationToken);
        return new PagedResult<TokenDto>([.. items.Select(t => t.ToDto())], query.Page, query.PageSize, total);
    }
}
