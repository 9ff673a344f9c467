using Controller.Domain.Events;
using FluentValidation;

namespace Controller.Application.Events;

/// <summary>The rules a cursor and type filter follow wherever the feed is read (a page or a live stream).</summary>
public static class EventFilterRules
{
    public static void AddEventFilterRules<T>(this AbstractValidator<T> validator, System.Linq.Expressions.Expression<Func<T, long?>> after, System.Linq.Expressions.Expression<Func<T, IEnumerable<string>>> types)
    {
        validator.RuleFor(after).GreaterThanOrEqualTo(0);
        validator.RuleFor(types).Must(t => t.Count() <= ClusterEventTypes.All.Count).WithMessage("'type' may be given at most once per event type.");
        validator.RuleForEach(types).Must(t => ClusterEventTypes.All.Contains(t))
            .WithMessage(_ => $"'type' must be one of: {string.Join(", ", ClusterEventTypes.All)}.");
    }
}
