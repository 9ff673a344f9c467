using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Models;
using Controller.Domain.Hosts;
using Mediator;

namespace Controller.Application.Dashboard.Queries.ListHostUsage;

/// <summary>
/// Hosts by hostname with their capacity and allocation, a page at a time: in one state, or with
/// <paramref name="LiveOnly"/> every host not terminated.
/// </summary>
public sealed record ListHostUsageQuery(HostState? State, bool LiveOnly = false, int Page = 1, int PageSize = PagingRules.DefaultPageSize) : IQuery<PagedResult<HostUsageDto>>, IPagedQuery;
