using Controller.Application.Common.Models;
using Mediator;

namespace Controller.Application.Audit.Queries.ListAudit;

public sealed record ListAuditQuery(Guid? TokenId, string? Action, int Page = 1, int PageSize = PagingRules.DefaultPageSize)
    : IQuery<PagedResult<AuditEntryDto>>, IPagedQuery;
