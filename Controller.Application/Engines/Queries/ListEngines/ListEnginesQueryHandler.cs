using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Models;
using Controller.Application.Engines.Models;
using Mediator;

namespace Controller.Application.Engines.Queries.ListEngines;

public sealed class ListEnginesQueryHandler(IEngineRepository engines) : IQueryHandler<ListEnginesQuery, PagedResult<EngineDto>>
{
    public async ValueTask<PagedResult<EngineDto>> Handle(ListEnginesQuery query, CancellationToken cancellationToken)
    {
        var (items, total) = await engines.ListAsync(includeDeleting: true, query.Skip(), query.PageSize, cancellationToken);
        return new PagedResult<EngineDto>([.. items.Select(e => e.ToDto())], query.Page, query.PageSize, total);
    }
}
