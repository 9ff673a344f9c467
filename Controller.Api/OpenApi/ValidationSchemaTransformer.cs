using System.Globalization;
using Controller.Api.Contracts;
using FluentValidation;
using FluentValidation.Validators;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Controller.Api.OpenApi;

/// <summary>
/// Makes each request schema say what its FluentValidation validator enforces, from the same rules and constants:
/// <c>required</c> and non-nullable where a field must be present, <c>maxLength</c>, <c>minimum</c>/<c>maximum</c> and
/// <c>maxItems</c> from the limits. Everything else stays optional and nullable (null means absent).
/// </summary>
internal sealed class ValidationSchemaTransformer : IOpenApiSchemaTransformer
{
    /// <summary>Where a request schema keeps (unserialised) the fields that may not be null.</summary>
    public const string NotNullKey = "controller:not-null";

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (schema.Properties is not { Count: > 0 })
        {
            return Task.CompletedTask;
        }

        var validatedType = (Attribute.GetCustomAttribute(type, typeof(ValidatedAsAttribute)) as ValidatedAsAttribute)?.ValidatedType ?? type;
        var validator = context.ApplicationServices.GetService(typeof(IValidator<>).MakeGenericType(validatedType)) as IValidator;
        var isRequest = validator is not null || (type.Namespace == typeof(ValidatedAsAttribute).Namespace
            && type.Name.EndsWith("Request", StringComparison.Ordinal));
        if (!isRequest)
        {
            // An answer: the controller writes every field, so the generator's "required" stands.
            return Task.CompletedTask;
        }

        var required = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in validator?.CreateDescriptor().Rules ?? [])
        {
            Apply(schema, rule, required);
        }

        // Fields no validator requires may be left out (or sent as null): they are not required on the wire.
        // Those it requires may not be null either (NullabilityDocumentTransformer finishes that for object fields).
        schema.Required = required.Count == 0 ? null : new SortedSet<string>(required, StringComparer.Ordinal);
        schema.Metadata ??= new Dictionary<string, object>();
        schema.Metadata[NotNullKey] = required;
        return Task.CompletedTask;
    }

    private static void Apply(OpenApiSchema schema, IValidationRule rule, HashSet<string> required)
    {
        if (rule.PropertyName is not { Length: > 0 } name || schema.Properties is null)
        {
            return;
        }

        var property = Camel(name);
        if (!schema.Properties.TryGetValue(property, out var target))
        {
            return;
        }

        var forEach = rule.GetType().Name.StartsWith("CollectionPropertyRule", StringComparison.Ordinal);
        var countRule = rule.Expression?.Body is System.Linq.Expressions.MemberExpression { Member.Name: "Count" };
        foreach (var component in rule.Components)
        {
            var conditional = component.HasCondition || component.HasAsyncCondition;
            switch (component.Validator)
            {
                case INotNullValidator or INotEmptyValidator when !forEach && !conditional && !countRule:
                    required.Add(property);
                    schema.Properties[property] = NotNullable(target);
                    target = schema.Properties[property];
                    break;
                case ILengthValidator length when target is OpenApiSchema s:
                    var on = forEach ? s.Items as OpenApiSchema : s;
                    if (on is not null && length.Max > 0)
                    {
                        on.MaxLength = length.Max;
                    }

                    break;
                case IBetweenValidator between when target is OpenApiSchema s && !forEach:
                    s.Minimum = Number(between.From);
                    s.Maximum = Number(between.To);
                    break;
                case IComparisonValidator comparison when target is OpenApiSchema s && !forEach && comparison.ValueToCompare is IConvertible:
                    var value = Number(comparison.ValueToCompare);
                    switch (comparison.Comparison)
                    {
                        case Comparison.GreaterThanOrEqual when countRule:
                            s.MinItems = int.Parse(value!, CultureInfo.InvariantCulture);
                            break;
                        case Comparison.LessThanOrEqual when countRule:
                            s.MaxItems = int.Parse(value!, CultureInfo.InvariantCulture);
                            break;
                        case Comparison.GreaterThanOrEqual:
                            s.Minimum = value;
                            break;
                        case Comparison.LessThanOrEqual:
                            s.Maximum = value;
                            break;
                    }

                    break;
            }
        }
    }

    /// <summary>The same schema without <c>null</c> among its types (a required field may not be null).</summary>
    private static IOpenApiSchema NotNullable(IOpenApiSchema schema)
    {
        if (schema is not OpenApiSchema s)
        {
            return schema;
        }

        if (s.OneOf is { Count: 2 } oneOf && oneOf.FirstOrDefault(o => o is OpenApiSchema { Type: JsonSchemaType.Null }) is { } nullOption)
        {
            return oneOf.First(o => !ReferenceEquals(o, nullOption));
        }

        if (s.Type is { } t && t.HasFlag(JsonSchemaType.Null))
        {
            s.Type = t & ~JsonSchemaType.Null;
        }

        return s;
    }

    private static string? Number(object? value) => value is IConvertible c ? Convert.ToString(c, CultureInfo.InvariantCulture) : null;

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
