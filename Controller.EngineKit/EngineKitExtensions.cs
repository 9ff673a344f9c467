using Controller.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Controller.EngineKit;

public static class EngineKitExtensions
{
    /// <summary>The named HTTP client the kit calls the controller with (its handlers can be configured by that name).</summary>
    public const string HttpClientName = "Controller.EngineKit";

    /// <summary>The longest stop grace an engine can be given: the task in hand may finish within it.</summary>
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromHours(1);

    /// <summary>
    /// Runs this program as an engine copy: reads the launch environment, registers, heartbeats, takes tasks with
    /// getwork, hands each to <typeparamref name="THandler"/> and reports its outcome; exits 0 on <c>terminate</c> or
    /// SIGTERM once the task in hand is finished and reported. Optional settings under <c>EngineKit:</c>
    /// (<c>MaxItems</c>, <c>HeartbeatSeconds</c>).
    /// </summary>
    public static IHostApplicationBuilder AddEngine<THandler>(this IHostApplicationBuilder builder)
        where THandler : class, ITaskHandler
    {
        builder.Services.AddOptions<EngineKitOptions>()
            .Bind(builder.Configuration.GetSection("EngineKit"))
            .Configure<IConfiguration>((options, configuration) =>
            {
                options.ControllerUrl ??= Uri.TryCreate(configuration["CONTROLLER_URL"], UriKind.Absolute, out var url) ? url : null;
                options.EngineId = Guid.TryParse(configuration["ENGINE_ID"], out var engine) ? engine : options.EngineId;
                options.InstanceId ??= Guid.TryParse(configuration["ENGINE_INSTANCE_ID"], out var instance) ? instance : null;
                options.InstanceToken ??= configuration["ENGINE_INSTANCE_TOKEN"];
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);

        // Every call would otherwise log four lines at Information; failures still show.
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ITaskHandler, THandler>();
        builder.Services.AddHttpClient(HttpClientName).AddControllerResilience();
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<EngineKitOptions>>().Value;
            var http = sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName);
            return ControllerClients.Create(http, options.ControllerUrl!, () => options.InstanceToken);
        });
        builder.Services.AddHostedService<EngineWorker>();
        return builder;
    }
}
