using Controller.Api;
using Controller.Application;
using Controller.Infrastructure;
using Controller.Infrastructure.Startup;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

builder.Services
    .AddApplicationServices(builder.Configuration)
    .AddInfrastructureServices(builder.Configuration)
    .AddApiServices(builder.Configuration);

// Optionally /metrics also answers anonymously, on a listener of its own (only /metrics is served there).
var anonymousMetrics = builder.Configuration["Metrics:AnonymousUrl"] is { Length: > 0 } metricsUrl ? new Uri(metricsUrl) : null;
if (anonymousMetrics is not null)
{
    var urls = builder.Configuration["urls"] ?? "http://localhost:5080";
    builder.WebHost.UseUrls([.. urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), anonymousMetrics.GetLeftPart(UriPartial.Authority)]);
}

var app = builder.Build();

await app.Services.InitializeDatabaseAsync();

if (anonymousMetrics is not null && app.Configuration.GetValue("Metrics:Enabled", true))
{
    app.MapWhen(c => c.Connection.LocalPort == anonymousMetrics.Port, metrics =>
    {
        metrics.UseOpenTelemetryPrometheusScrapingEndpoint();
        metrics.Run(c =>
        {
            c.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
    });
}

// Outermost, so that they see the final status of every request, errors included.
app.UseMiddleware<Controller.Api.Logging.RequestLogMiddleware>();
app.UseMiddleware<Controller.Api.Security.AuditMiddleware>();
app.UseExceptionHandler();
app.UseStatusCodePages();

// The dashboard's stylesheet and script (wwwroot/ui): public, no secrets. From the content root when it has them
// (dotnet run, a published folder, the tests), else from the build's asset manifest (the dll started from elsewhere).
app.UseStaticFiles();
app.UseAuthentication();
app.UseRateLimiter();
app.UseAuthorization();

app.MapControllers();

if (!app.Environment.WebRootFileProvider.GetFileInfo("ui/site.css").Exists)
{
    app.MapStaticAssets().AllowAnonymous();
}
app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
app.MapScalarApiReference("/docs", o => o.WithOpenApiRoutePattern("/openapi/{documentName}.json")).AllowAnonymous();
app.MapHealthChecks("/healthz/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
app.MapHealthChecks("/healthz/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous();
if (app.Configuration.GetValue("Metrics:Enabled", true))
{
    app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(Controller.Api.Security.Policies.AdminOrViewer);
}

await app.RunAsync();

/// <summary>The entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
