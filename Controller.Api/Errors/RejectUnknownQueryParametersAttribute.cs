using Controller.Application.Common.Exceptions;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Controller.Api.Errors;

/// <summary>
/// A query parameter the endpoint does not take is a 400 naming it (as an unknown body field is), not silently
/// ignored: <c>GET /engine?name=asr</c> would otherwise list every engine. Put on the JSON API's controllers (their base).
/// </summary>
public sealed class RejectUnknownQueryParametersAttribute : ActionFilterAttribute
{
    public override void OnActionExecuting(ActionExecutingContext context)
    {
        if (context.HttpContext.Request.Query.Count == 0)
        {
            return;
        }

        var known = Known(context.ActionDescriptor);
        var unknown = context.HttpContext.Request.Query.Keys.Where(k => !known.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            var takes = known.Count == 0 ? "no query parameters" : "only " + string.Join(", ", known.Order(StringComparer.Ordinal));
            throw new RequestValidationException(unknown.ToDictionary(
                k => k,
                k => new[] { $"Unknown query parameter '{k}': this endpoint takes {takes}." },
                StringComparer.Ordinal));
        }
    }

    private static HashSet<string> Known(Microsoft.AspNetCore.Mvc.Abstractions.ActionDescriptor action) =>
        new(action.Parameters
                .Where(p => p.BindingInfo?.BindingSource == BindingSource.Query)
                .Select(p => p.BindingInfo!.BinderModelName ?? p.Name),
            StringComparer.OrdinalIgnoreCase);
}
