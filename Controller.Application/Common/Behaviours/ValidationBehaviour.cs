using Controller.Application.Common.Exceptions;
using FluentValidation;
using Mediator;

namespace Controller.Application.Common.Behaviours;

/// <summary>Runs every validator of a message, one after the other, and refuses it with all field errors.</summary>
public sealed class ValidationBehaviour<TMessage, TResponse>(IEnumerable<IValidator<TMessage>> validators) : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        List<FluentValidation.Results.ValidationFailure>? failures = null;
        foreach (var validator in validators)
        {
            var result = await validator.ValidateAsync(new ValidationContext<TMessage>(message), cancellationToken);
            if (!result.IsValid)
            {
                (failures ??= []).AddRange(result.Errors);
            }
        }

        if (failures is not null)
        {
            var errors = failures
                .GroupBy(f => ValidationPaths.ToCamelPath(f.PropertyName), StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Select(f => f.ErrorMessage).Distinct().ToArray(), StringComparer.Ordinal);
            throw new RequestValidationException(errors);
        }

        return await next(message, cancellationToken);
    }
}

internal static class ValidationPaths
{
    /// <summary>"Capacity.CpuMillicores" → "capacity.cpuMillicores", matching the JSON the client sent.</summary>
    public static string ToCamelPath(string propertyPath) =>
        string.Join('.', propertyPath.Split('.', StringSplitOptions.RemoveEmptyEntries).Select(p => char.ToLowerInvariant(p[0]) + p[1..]));
}
