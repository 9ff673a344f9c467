using Controller.Application.Common.Models;
using Mediator;

namespace Controller.Application.Audit.Queries.ListAudit;

public sealed class ListAuditQueryHandler(IAuditLog audit) : IQueryHandler<ListAuditQuery, PagedResult<AuditEntryDto>>
{
    public async ValueTask<PagedResult<AuditEntryDto>> Handle(ListAuditQuery query, CancellationToken cancellationToken)
    {
        var (items, total) = await audit.ListAsync(query.TokenId, query.Action, query.Skip(), query.PageSize, cancellationToken);
        return new PagedResult<AuditEntryDto>(
            [.. items.Select(e => new AuditEntryDto(e.Id, e.At, e.TokenId, e.TokenName, e.Action, e.Status, e.Succeeded))], query.Page, query.PageSize, total);
    }
}
