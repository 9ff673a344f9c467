using Controller.Domain.Common;
using FluentValidation;

namespace Controller.Application.Common.Models;

/// <summary>Paging parameters of a listing query (1-based page).</summary>
public interface IPagedQuery
{
    int Page { get; }

    int PageSize { get; }
}

public static class PagingRules
{
    public const int DefaultPageSize = 50;

    public static void AddPagingRules<T>(this AbstractValidator<T> validator)
        where T : IPagedQuery
    {
        validator.RuleFor(q => q.Page).GreaterThanOrEqualTo(1);
        validator.RuleFor(q => q.PageSize).InclusiveBetween(1, Limits.MaxPageSize);
    }

    public static int Skip(this IPagedQuery query) => (query.Page - 1) * query.PageSize;
}
