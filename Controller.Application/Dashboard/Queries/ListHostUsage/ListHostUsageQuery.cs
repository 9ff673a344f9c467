using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Models;
using Controller.Domain.Hosts;
using Mediator;

namespace Controller.Application.Dashboard.Queries.ListHostUsage;

/// <summary>Hosts by hostname with their capacity and allocation, a page at a time.</summary>
public sealed record ListHostUsageQuery(HostState? State, int Page = 1, int PageSize = PagingRules.DefaultPageSize) : IQuery<PagedResult<HostUsageDto>>, IPagedQuery;
