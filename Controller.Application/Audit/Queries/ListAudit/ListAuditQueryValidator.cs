using Controller.Application.Common.Models;
using Controller.Domain.Audit;
using FluentValidation;

namespace Controller.Application.Audit.Queries.ListAudit;

public sealed class ListAuditQueryValidator : AbstractValidator<ListAuditQuery>
{
    public ListAuditQueryValidator()
    {
        this.AddPagingRules();
        RuleFor(q => q.Action).MaximumLength(AuditEntry.ActionMaxLength);
    }
}
