using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Models;
using Mediator;

namespace Controller.Application.Dashboard.Queries.ListHostUsage;

public sealed class ListHostUsageQueryHandler(IClusterReader reader) : IQueryHandler<ListHostUsageQuery, PagedResult<HostUsageDto>>
{
    public async ValueTask<PagedResult<HostUsageDto>> Handle(ListHostUsageQuery query, CancellationToken cancellationToken) =>
        await reader.HostsAsync(query.State, query.LiveOnly, query.Page, query.PageSize, cancellationToken);
}
