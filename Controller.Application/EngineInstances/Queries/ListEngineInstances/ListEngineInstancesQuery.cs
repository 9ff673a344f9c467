using Controller.Application.Common.Models;
using Controller.Application.EngineInstances.Models;
using Controller.Domain.EngineInstances;
using Mediator;

namespace Controller.Application.EngineInstances.Queries.ListEngineInstances;

public sealed record ListEngineInstancesQuery(Guid? EngineId, Guid? HostId, EngineInstanceState? State, int Page = 1, int PageSize = PagingRules.DefaultPageSize)
    : IQuery<PagedResult<EngineInstanceDto>>, IPagedQuery;
