using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Models;
using Controller.Application.EngineInstances.Models;
using Mediator;

namespace Controller.Application.EngineInstances.Queries.ListEngineInstances;

public sealed class ListEngineInstancesQueryHandler(IEngineInstanceRepository instances)
    : IQueryHandler<ListEngineInstancesQuery, PagedResult<EngineInstanceDto>>
{
    public async ValueTask<PagedResult<EngineInstanceDto>> Handle(ListEngineInstancesQuery query, CancellationToken cancellationToken)
    {
        var (items, total) = await instances.ListAsync(query.EngineId, query.HostId, query.State, query.Skip(), query.PageSize, cancellationToken);
        return new PagedResult<EngineInstanceDto>([.. items.Select(i => i.ToDto())], query.Page, query.PageSize, total);
    }
}
