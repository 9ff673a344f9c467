using Controller.Agent;
using Controller.Agent.Drivers;
using Controller.Agent.Drivers.Docker;
using Controller.Agent.Drivers.Process;
using Controller.Agent.Identity;
using Controller.Agent.Machine;
using Controller.Client;
using Microsoft.Extensions.Options;

// controller-agent [rotate-token] [--Agent:Key=value ...]
var rotateToken = args.FirstOrDefault() == "rotate-token";
// Settings next to the program (appsettings.json), whatever the working directory; relative paths are the working directory's.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = rotateToken ? args[1..] : args, ContentRootPath = AppContext.BaseDirectory });
builder.AddAgent();
using var host = builder.Build();
if (!rotateToken)
{
    await host.RunAsync();
    return Environment.ExitCode;
}

// rotate-token: a new host token, saved where the running agent reads it before its next report.
var options = host.Services.GetRequiredService<IOptions<AgentOptions>>().Value;
var identity = host.Services.GetRequiredService<HostIdentityStore>();
var saved = identity.Current;
if (saved is null)
{
    await Console.Error.WriteLineAsync($"No host identity in {identity.Path}: start the agent first, so that it registers.");
    return StatusLoop.ExitMisconfigured;
}

var http = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient(AgentServices.HttpClientName);
await TokenRotation.RotateAsync(ControllerClients.Create(http, options.ControllerUrl!, () => identity.Current?.Token), identity, saved.HostId, TimeProvider.System, CancellationToken.None);
Console.WriteLine($"Host {saved.HostId}: token rotated and saved in {identity.Path}.");
return 0;

/// <summary>The agent's services: options, identity, machine facts, the driver, the HTTP pipeline and the status loop.</summary>
internal static class AgentServices
{
    public const string HttpClientName = "controller";

    public static void AddAgent(this HostApplicationBuilder builder)
    {
        builder.Services.AddSystemd();
        builder.Services.AddOptions<AgentOptions>()
            .Bind(builder.Configuration.GetSection(AgentOptions.Section))
            .PostConfigure(o => o.DataDirectory = Path.GetFullPath(o.DataDirectory))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new HostIdentityStore(DataDirectory(sp)));
        builder.Services.AddSingleton(sp => new MachineInspector(DataDirectory(sp), sp.GetRequiredService<ILogger<MachineInspector>>()));
        builder.Services.AddSingleton<IEngineDriver>(sp => sp.GetRequiredService<IOptions<AgentOptions>>().Value.Driver switch
        {
            AgentDriver.Docker => ActivatorUtilities.CreateInstance<DockerDriver>(sp),
            _ => new ProcessDriver(DataDirectory(sp), new CgroupLimits(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ProcessDriver>>()),
        });
        builder.Services.AddHttpClient(HttpClientName).AddControllerResilience();
        builder.Services.AddHostedService(sp => ActivatorUtilities.CreateInstance<StatusLoop>(sp,
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName)));
    }

    private static string DataDirectory(IServiceProvider services)
    {
        var directory = services.GetRequiredService<IOptions<AgentOptions>>().Value.DataDirectory;
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return directory;
    }
}
