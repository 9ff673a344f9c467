using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Controller.Api.OpenApi;

/// <summary>Declares the bearer scheme in the OpenAPI document so API clients send the token.</summary>
internal sealed class BearerSecurityTransformer : IOpenApiDocumentTransformer
{
    public const string SchemeName = "Bearer";

    /// <summary>Names every kind of token there is (from the enum, so that a new kind cannot be left out).</summary>
    public static string Description { get; } =
        "A token issued by the controller (`ctl_...`) of one of the kinds " +
        string.Join(", ", Enum.GetValues<Controller.Domain.Tokens.TokenKind>().Select(k => $"`{Controller.Api.Security.BearerTokenHandler.KindName(k)}`")) +
        ". Each operation lists the kinds it accepts in `x-token-kinds`.";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = Description,
            BearerFormat = "ctl_ token",
        };
        document.Security ??= [];
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, document)] = [] });
        return Task.CompletedTask;
    }
}
