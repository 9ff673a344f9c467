using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Models;
using Controller.Application.Hosts.Models;
using Mediator;

namespace Controller.Application.Hosts.Queries.ListHosts;

public sealed class ListHostsQueryHandler(IHostRepository hosts) : IQueryHandler<ListHostsQuery, PagedResult<HostSummaryDto>>
{
    public async ValueTask<PagedResult<HostSummaryDto>> Handle(ListHostsQuery query, CancellationToken cancellationToken)
    {
        var (items, total) = await hosts.ListAsync(query.State, query.Skip(), query.PageSize, cancellationToken);
        return new PagedResult<HostSummaryDto>([.. items.Select(h => h.ToSummary())], query.Page, query.PageSize, total);
    }
}
