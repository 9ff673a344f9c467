using Controller.Application.Common.Behaviours;
using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Controller.Application.Hosts;
using FluentValidation;
using Mediator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Controller.Application;

public static class DependencyInjection
{
    public static IServiceCollection AddApplicationServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings(configuration);

        services.AddMediator((MediatorOptions options) =>
        {
            options.ServiceLifetime = ServiceLifetime.Scoped;
            options.Assemblies = [typeof(DependencyInjection)];
            options.PipelineBehaviors = [typeof(AuthorizationBehaviour<,>), typeof(ValidationBehaviour<,>)];
        });
        // Messages name fields as the client wrote them ("memoryMiB"), not as words ("Memory Mi B").
        ValidatorOptions.Global.DisplayNameResolver = (_, member, _) =>
            member is null ? null : char.ToLowerInvariant(member.Name[0]) + member.Name[1..];
        services.AddValidatorsFromAssembly(typeof(DependencyInjection).Assembly, ServiceLifetime.Singleton, includeInternalTypes: false);

        services.AddSingleton<Common.Telemetry.ClusterGauges>();
        services.AddSingleton<Common.Telemetry.ControllerMetrics>();
        services.AddSingleton<Scheduling.ClusterView>();
        services.AddSingleton<Scheduling.MassSilenceHold>();
        services.AddScoped<Retention.RetentionSweeper>();
        services.AddScoped<Work.TaskAccess>();
        services.AddSingleton<Events.EventFeed>();
        services.AddSingleton<IClusterChanges>(sp => sp.GetRequiredService<Scheduling.ClusterView>());
        services.AddSingleton<IClusterViewSource>(sp => sp.GetRequiredService<Scheduling.ClusterView>());
        services.AddSingleton<Scheduling.ControllerLifetime>();
        services.AddScoped<Scheduling.ClusterSweeper>();
        services.AddScoped<Scheduling.SilentHostSweep>();
        services.AddScoped<Scheduling.LostHostGuard>();
        services.AddScoped<Scheduling.EngineDeletionSweep>();
        services.AddScoped<Scheduling.RolloutSweep>();
        services.AddScoped<HostRetirement>();
        services.AddScoped<Common.Security.TokenRevoker>();
        services.AddScoped<Common.Security.TokenIssuer>();
        services.AddScoped<EngineInstances.InstanceDispatch>();
        services.AddHotPaths();
        return services;
    }

    private static void AddSettings(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SchedulingOptions>()
            .Bind(configuration.GetSection(SchedulingOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddOptions<WorkOptions>().Bind(configuration.GetSection(WorkOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RetentionOptions>().Bind(configuration.GetSection(RetentionOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<EventOptions>().Bind(configuration.GetSection(EventOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<TokenOptions>().Bind(configuration.GetSection(TokenOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ControllerEndpointOptions>().Bind(configuration.GetSection("Controller"));
    }

    /// <summary>The task queue, getwork and the status report: their processors, batches and rounds.</summary>
    private static void AddHotPaths(this IServiceCollection services)
    {
        services.AddScoped<Work.TaskSweeper>();
        services.AddScoped<Work.Commands.SubmitTask.TaskSubmitter>();
        services.AddScoped<Work.Commands.GetWork.GetWorkRound>();
        services.AddScoped<Work.Commands.GetWork.GetWorkBatch>();
        services.AddSingleton<Work.Commands.GetWork.GetWorkProcessor>();
        services.AddSingleton<Work.WorkWaiters>();
        services.AddScoped<Hosts.Commands.UpdateHostStatus.StatusRound>();
        services.AddScoped<Hosts.Commands.UpdateHostStatus.RoundWriter>();
        services.AddScoped<Hosts.Commands.UpdateHostStatus.RoundCompletion>();
        services.AddScoped<Hosts.Commands.UpdateHostStatus.StatusBatch>();
        services.AddSingleton<Hosts.Commands.UpdateHostStatus.StatusAnswers>();
        services.AddSingleton<Hosts.Commands.UpdateHostStatus.StatusProcessor>();
        services.AddSingleton<Hosts.Commands.UpdateHostStatus.SteadyAnswers>();
        services.AddSingleton<IPlacementGate, Scheduling.PlacementGate>();
        services.AddSingleton<Hosts.FastPath.SteadyStateCache>();
        services.AddSingleton<Hosts.FastPath.LastSeenBuffer>();
        services.AddSingleton<StatusIntervalAdvisor>();
        services.AddSingleton<IStatusIntervalAdvisor>(sp => sp.GetRequiredService<StatusIntervalAdvisor>());
    }
}
