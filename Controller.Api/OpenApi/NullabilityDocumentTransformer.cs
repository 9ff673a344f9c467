using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Controller.Api.OpenApi;

/// <summary>
/// The last pass over the schemas: a request field its validator requires may not be null (its <c>oneOf [null, $ref]</c>
/// becomes the <c>$ref</c>), an enum's own schema lists only its values (null is the field's business, not the enum's),
/// and a field of any JSON (<c>JsonElement</c>, whose schema is <c>{}</c> and so takes null already) is that schema alone:
/// <c>oneOf [null, {}]</c> would match null twice, which <c>oneOf</c> forbids.
/// </summary>
internal sealed class NullabilityDocumentTransformer : IOpenApiDocumentTransformer
{
    private const string AnyJson = "JsonElement";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var schema in document.Components?.Schemas?.Values.OfType<OpenApiSchema>() ?? [])
        {
            foreach (var (name, property) in schema.Properties?.ToList() ?? [])
            {
                if (property is OpenApiSchema { OneOf: { Count: 2 } anyJson } && anyJson.Any(o => o is OpenApiSchema { Type: JsonSchemaType.Null })
                    && anyJson.FirstOrDefault(o => o is OpenApiSchemaReference { Reference.Id: AnyJson }) is { } reference)
                {
                    schema.Properties![name] = reference;
                }
            }

            if (schema.Enum is { } values && values.Any(v => v is null))
            {
                schema.Enum = [.. values.Where(v => v is not null)];
                schema.Type ??= JsonSchemaType.String;
            }

            // Only request fields that a validator requires; an answer's "required" means present, and it may be null.
            if (schema.Metadata?.TryGetValue(ValidationSchemaTransformer.NotNullKey, out var notNull) != true || notNull is not HashSet<string> required
                || schema.Properties is null)
            {
                continue;
            }

            foreach (var name in required)
            {
                if (schema.Properties.TryGetValue(name, out var property) && property is OpenApiSchema { OneOf: { Count: 2 } oneOf }
                    && oneOf.FirstOrDefault(o => o is OpenApiSchema { Type: JsonSchemaType.Null }) is { } nullOption)
                {
                    schema.Properties[name] = oneOf.First(o => !ReferenceEquals(o, nullOption));
                }
            }
        }

        if (document.Components?.Schemas?.TryGetValue(AnyJson, out var any) == true && any is OpenApiSchema anySchema)
        {
            anySchema.Description = "Any JSON value, kept and handed back as it was sent.";
        }

        // The merge patch's schema is described on its operation; the generator's component for JsonObject says nothing.
        document.Components?.Schemas?.Remove("JsonObject");
        return Task.CompletedTask;
    }
}
