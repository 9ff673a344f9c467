namespace Controller.Application.Common.Models;

/// <summary>One page of a listing.</summary>
public sealed record PagedResult<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total);
