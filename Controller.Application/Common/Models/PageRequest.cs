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

    /// <summary>The largest page number: (MaxPage - 1) * MaxPageSize still fits an int offset on every provider.</summary>
    public const int MaxPage = 1_000_000;

    public static void AddPagingRules<T>(this AbstractValidator<T> validator)
        where T : IPagedQuery
    {
        validator.RuleFor(q => q.Page).InclusiveBetween(1, MaxPage);
        validator.RuleFor(q => q.PageSize).InclusiveBetween(1, Limits.MaxPageSize);
    }

    /// <summary>The offset, computed without overflow (the validator bounds both factors).</summary>
    public static int Skip(this IPagedQuery query) => (int)Math.Min(int.MaxValue, ((long)query.Page - 1) * query.PageSize);
}
