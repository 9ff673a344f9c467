using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Controller.Api.OpenApi;

/// <summary>Declares the bearer scheme in the OpenAPI document so API clients send the token.</summary>
internal sealed class BearerSecurityTransformer : IOpenApiDocumentTransformer
{
    public const string SchemeName = "Bearer";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "A token issued by the controller (`ctl_...`): admin, registration, host or engine-instance. Each operation lists the kinds it accepts in `x-token-kinds`.",
            BearerFormat = "ctl_ token",
        };
        document.Security ??= [];
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, document)] = [] });
        return Task.CompletedTask;
    }
}
