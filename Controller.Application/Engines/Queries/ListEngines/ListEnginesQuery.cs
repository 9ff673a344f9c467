using Controller.Application.Common.Models;
using Controller.Application.Engines.Models;
using Mediator;

namespace Controller.Application.Engines.Queries.ListEngines;

public sealed record ListEnginesQuery(int Page = 1, int PageSize = PagingRules.DefaultPageSize) : IQuery<PagedResult<EngineDto>>, IPagedQuery;
