using Controller.Application.Common.Models;
using Controller.Domain.Audit;
using FluentValidation;
using Mediator;

namespace Controller.Application.Audit;

public interface IAuditLog
{
    /// <summary>Stores one entry on its own (outside the request's unit of work, so failed requests are recorded too).</summary>
    Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken);

    Task<(IReadOnlyList<AuditEntry> Items, int Total)> ListAsync(Guid? tokenId, string? actionContains, int skip, int take, CancellationToken cancellationToken);
}

public sealed record AuditEntryDto(Guid AuditId, DateTimeOffset At, Guid TokenId, string TokenName, string Action, int Status, bool Succeeded);

public sealed record ListAuditQuery(Guid? TokenId, string? Action, int Page = 1, int PageSize = PagingRules.DefaultPageSize)
    : IQuery<PagedResult<AuditEntryDto>>, IPagedQuery;

public sealed class ListAuditQueryValidator : AbstractValidator<ListAuditQuery>
{
    public ListAuditQueryValidator()
    {
        this.AddPagingRules();
        RuleFor(q => q.Action).MaximumLength(AuditEntry.ActionMaxLength);
    }
}

public sealed class ListAuditQueryHandler(IAuditLog audit) : IQueryHandler<ListAuditQuery, PagedResult<AuditEntryDto>>
{
    public async ValueTask<PagedResult<AuditEntryDto>> Handle(ListAuditQuery query, CancellationToken cancellationToken)
    {
        var (items, total) = await audit.ListAsync(query.TokenId, query.Action, query.Skip(), query.PageSize, cancellationToken);
        return new PagedResult<AuditEntryDto>(
            [.. items.Select(e => new AuditEntryDto(e.Id, e.At, e.TokenId, e.TokenName, e.Action, e.Status, e.Succeeded))], query.Page, query.PageSize, total);
    }
}
