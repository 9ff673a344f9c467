using Controller.Application.Common.Models;
using Controller.Application.Tokens.Models;
using Controller.Domain.Tokens;
using Mediator;

namespace Controller.Application.Tokens.Queries.ListTokens;

public sealed record ListTokensQuery(TokenKind? Kind, bool IncludeRevoked, int Page = 1, int PageSize = PagingRules.DefaultPageSize)
    : IQuery<PagedResult<TokenDto>>, IPagedQuery;
