using Controller.Application.Common.Models;
using Controller.Application.Hosts.Models;
using Controller.Domain.Hosts;
using Mediator;

namespace Controller.Application.Hosts.Queries.ListHosts;

public sealed record ListHostsQuery(HostState? State, int Page = 1, int PageSize = PagingRules.DefaultPageSize)
    : IQuery<PagedResult<HostSummaryDto>>, IPagedQuery;
