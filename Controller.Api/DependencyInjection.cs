using System.Text.Json;
using System.Text.Json.Serialization;
using Controller.Api.Errors;
using Controller.Api.OpenApi;
using Controller.Api.Security;
using Controller.Application.Common.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using OpenTelemetry.Metrics;

namespace Controller.Api;

public static class DependencyInjection
{
    public static IServiceCollection AddApiServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddHttpContextAccessor();
        services.AddScoped<ICurrentCaller, HttpCurrentCaller>();
        services.AddControllerMetrics(configuration);
        services.AddRequestLimits(configuration);
        services.AddMvcAndDashboardKeys(configuration);

        services.AddProblemDetails(o => o.CustomizeProblemDetails = ErrorBody.Complete);
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.AddTokenAuthentication();

        // Engine instances are told to call the controller at Controller:PublicUrl, else at the first listening URL.
        services.PostConfigure<Controller.Application.Common.Options.ControllerEndpointOptions>(o =>
        {
            if (string.IsNullOrWhiteSpace(o.PublicUrl))
            {
                var urls = configuration["urls"] ?? configuration["ASPNETCORE_URLS"] ?? "http://localhost:5080";
                o.PublicUrl = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];
            }
        });

        services.AddControllerRateLimits(configuration);
        services.AddOpenApiDocument();

        return services;
    }

    private static void AddControllerMetrics(this IServiceCollection services, IConfiguration configuration)
    {
        // Metrics: the controller's own meter and the framework's (requests, Kestrel, rate limiting, the runtime), in
        // the Prometheus text format at /metrics, and over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set.
        services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            if (!configuration.GetValue("Metrics:Enabled", true))
            {
                // Off (to measure what metrics cost): the instruments stay, nothing listens to them.
                return;
            }

            metrics.AddMeter(Application.Common.Telemetry.ControllerMetrics.MeterName,
                    "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.RateLimiting",
                    "Microsoft.AspNetCore.Authentication", "System.Runtime")
                .AddPrometheusExporter();
            if (!string.IsNullOrEmpty(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            {
                metrics.AddOtlpExporter();
            }
        });
    }

    /// <summary>Body size and rate, header time: a slow or huge request is refused before it costs anything.</summary>
    private static void AddRequestLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<KestrelServerOptions>(o =>
        {
            o.Limits.MaxRequestBodySize = configuration.GetValue<long?>("Controller:MaxRequestBodyBytes") ?? 1024 * 1024;
            // A client that trickles its body slower than this (after a grace period) gets 408 and may repeat.
            o.Limits.MinRequestBodyDataRate = new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(
                configuration.GetValue<double?>("Controller:MinRequestBodyBytesPerSecond") ?? 240,
                TimeSpan.FromSeconds(configuration.GetValue<double?>("Controller:MinRequestBodyGraceSeconds") ?? 5));
            o.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(configuration.GetValue<double?>("Controller:RequestHeadersTimeoutSeconds") ?? 30);
            o.AddServerHeader = false;
        });
    }

    private static void AddMvcAndDashboardKeys(this IServiceCollection services, IConfiguration configuration)
    {
        // The dashboard cookie is encrypted with keys kept beside the embedded database (replicas behind one address share the folder).
        var keys = configuration["Controller:DataProtectionKeysDirectory"]
            ?? Path.Combine(configuration["Controller:DataDirectory"] ?? "data", "keys");
        services.AddDataProtection().SetApplicationName("controller").PersistKeysToFileSystem(new DirectoryInfo(keys));

        services.AddControllersWithViews(o =>
            {
                o.SuppressImplicitRequiredAttributeForNonNullableReferenceTypes = true;
            })
            .AddMvcOptions(o =>
            {
                // No form binding at all: this API speaks JSON, and form parsing is attack surface it does not need.
                foreach (var form in o.ValueProviderFactories.Where(f => f is Microsoft.AspNetCore.Mvc.ModelBinding.FormValueProviderFactory
                             or Microsoft.AspNetCore.Mvc.ModelBinding.JQueryFormValueProviderFactory
                             or Microsoft.AspNetCore.Mvc.ModelBinding.FormFileValueProviderFactory).ToList())
                {
                    o.ValueProviderFactories.Remove(form);
                }
                // JSON in UTF-8 only: a body declared in another charset is an unsupported media type (415).
                foreach (var formatter in o.InputFormatters.OfType<Microsoft.AspNetCore.Mvc.Formatters.SystemTextJsonInputFormatter>())
                {
                    formatter.SupportedEncodings.Clear();
                    formatter.SupportedEncodings.Add(new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true));
                    formatter.SupportedMediaTypes.Add(Controllers.EngineController.MergePatchJson);
                }
            })
            .AddJsonOptions(o =>
            {
                ConfigureJson(o.JsonSerializerOptions);
                // The parser's messages reach InvalidRequest, which rewrites them (JsonErrorMessages): what to fix, never a type name.
                o.AllowInputFormatterExceptionMessages = true;
            })
            .ConfigureApiBehaviorOptions(o => o.InvalidModelStateResponseFactory = InvalidRequest.Create);
    }

    /// <summary>Bearer tokens for the API, a cookie for the dashboard, and a policy per kind of caller.</summary>
    private static void AddTokenAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(BearerTokenHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, null)
            .AddCookie(DashboardCookie.SchemeName, DashboardCookie.Configure);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(BearerTokenHandler.SchemeName).RequireAuthenticatedUser().Build())
            .AddPolicy(Policies.Admin, p => p.RequireClaim(TokenClaims.Kind, TokenClaims.Admin))
            .AddPolicy(Policies.Register, p => p.RequireClaim(TokenClaims.Kind, TokenClaims.Admin, TokenClaims.Registration, TokenClaims.Host))
            .AddPolicy(Policies.AdminOrHost, p => p.RequireClaim(TokenClaims.Kind, TokenClaims.Admin, TokenClaims.Host))
            .AddPolicy(Policies.Host, p => p.RequireClaim(TokenClaims.Kind, TokenClaims.Host))
            .AddPolicy(Policies.EngineInstance, p => p.RequireClaim(TokenClaims.Kind, TokenClaims.EngineInstance))
            .AddPolicy(Policies.AdminHostOrInstance, p => p.RequireClaim(TokenClaims.Kind, TokenClaims.Admin, TokenClaims.Host, TokenClaims.EngineInstance))
            .AddPolicy(Policies.AdminOrClient, p => p.RequireClaim(TokenClaims.Kind, TokenClaims.Admin, TokenClaims.Client))
            .AddPolicy(Policies.AdminOrViewer, p => p.RequireClaim(TokenClaims.Kind, TokenClaims.Admin, TokenClaims.Viewer))
            .AddPolicy(Policies.Dashboard, p => p.AddAuthenticationSchemes(DashboardCookie.SchemeName).RequireClaim(TokenClaims.Kind, TokenClaims.Admin, TokenClaims.Viewer));
    }

    private static void AddOpenApiDocument(this IServiceCollection services)
    {
        // The document describes the wire: the same JSON options as the controllers (enums as strings, strict numbers).
        services.ConfigureHttpJsonOptions(o => ConfigureJson(o.SerializerOptions));
        services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer<BearerSecurityTransformer>();
            o.AddOperationTransformer<OperationConventionsTransformer>();
            o.AddSchemaTransformer<ValidationSchemaTransformer>();
            o.AddDocumentTransformer<NullabilityDocumentTransformer>();
        });
    }

    public static void ConfigureJson(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.PropertyNameCaseInsensitive = true;
        options.MaxDepth = 32;
        // "5" for a number is a 400, as the document says: numbers are JSON numbers.
        options.NumberHandling = JsonNumberHandling.Strict;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false));
    }
}

/// <summary>The body of a 400 for a request that did not bind (malformed JSON, wrong types, unknown enum values).</summary>
internal static class InvalidRequest
{
    public static IActionResult Create(ActionContext context)
    {
        var failed = context.ModelState.Where(e => e.Value is { Errors.Count: > 0 }).ToList();
        var malformed = failed.Any(e => e.Key.StartsWith('$') || e.Key.Length == 0);
        var errors = failed
            // With a body that did not parse, "the <parameter> field is required" only repeats it.
            .Where(e => !malformed || e.Key.StartsWith('$') || e.Key.Length == 0)
            .GroupBy(e => e.Key.TrimStart('$', '.') is { Length: > 0 } path ? path : "body", StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => g.SelectMany(e => e.Value!.Errors.Select(x => e.Key.StartsWith('$') || e.Key.Length == 0 ? JsonErrorMessages.Explain(x.ErrorMessage) : x.ErrorMessage))
                    .Distinct().ToArray(),
                StringComparer.Ordinal);
        var (errorId, description) = malformed
            ? ("malformed_request", "The request body is not valid JSON for this endpoint.")
            : ("validation_failed", "One or more fields are invalid.");
        var problem = ErrorBody.Create(StatusCodes.Status400BadRequest, errorId, description, new Dictionary<string, object?> { ["errors"] = errors });
        ErrorBody.Complete(new ProblemDetailsContext { HttpContext = context.HttpContext, ProblemDetails = problem });
        return new ObjectResult(problem) { StatusCode = StatusCodes.Status400BadRequest, ContentTypes = { "application/problem+json" } };
    }
}
