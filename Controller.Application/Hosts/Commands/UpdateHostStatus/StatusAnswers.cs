using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Models;
using Controller.Application.Common.Options;
using Controller.Application.Common.Security;
using Controller.Application.Hosts.Models;
using Controller.Domain.EngineInstances;
using Controller.Domain.Hosts;
using Controller.Domain.Scheduling;
using Microsoft.Extensions.Options;

namespace Controller.Application.Hosts.Commands.UpdateHostStatus;

/// <summary>The answer to a status report from the copies its host holds (level-triggered: every open order), and what is stored of it.</summary>
public sealed class StatusAnswers(IStatusIntervalAdvisor intervals, IInstanceTokenIssuer instanceTokens, IOptions<ControllerEndpointOptions> endpoint)
{
    /// <summary>For a host already terminated: say so again (the answer that ended it may have been lost).</summary>
    public HostStatusAnswer Terminated() => new(HostMode.Terminate, intervals.NextInterval(), [], []);

    /// <summary>
    /// Launches for the pending copies, terminates for the stopping ones, except a copy a rolling update left to finish
    /// its work (<see cref="RollingUpdate.FinishesWork"/>): its engine ends it once idle, or it is told at the end of its grace.
    /// </summary>
    public HostStatusAnswer For(Host host, List<EngineInstance> holding, IReadOnlyList<ContainerTerminate> extra, DateTimeOffset now)
    {
        var launch = holding.Where(i => i.State == EngineInstanceState.Pending).Select(Launch).ToList();
        var terminate = holding
            .Where(i => i.State == EngineInstanceState.Stopping && !RollingUpdate.FinishesWork(i, now))
            .Select(i => new TerminateOrder(i.Id, i.ContainerId, i.StopReason ?? Scheduler.ReasonScaledDown, i.StopGraceSeconds))
            .Concat(extra.Select(e => new TerminateOrder(e.EngineInstanceId, e.ContainerId, e.Reason)))
            .ToList();
        return new HostStatusAnswer(HostErrors.ModeOf(host.State, holding.Count), intervals.NextInterval(), launch, terminate);
    }

    /// <summary>The report as stored for <c>GET /host/{id}/status</c>.</summary>
    public static string StoredReport(UpdateHostStatusCommand command) => JsonText.Serialize(new { command.Available, command.Containers });

    /// <summary>The answer as stored: without secrets, and with the base interval (the jittered one would change it every time).</summary>
    public string StoredAnswer(HostStatusAnswer answer) => JsonText.Serialize(answer.WithoutSecrets() with { StatusIntervalSeconds = intervals.BaseInterval });

    private LaunchOrder Launch(EngineInstance instance)
    {
        var runtime = instance.Runtime;
        return new LaunchOrder(instance.Id, instance.EngineId, instance.Image, ResourcesDto.From(instance.Resources), instance.GpuIndexes,
            runtime.LaunchEnvironment(new Dictionary<string, string>
            {
                ["CONTROLLER_URL"] = endpoint.Value.PublicUrl ?? string.Empty,
                ["ENGINE_ID"] = instance.EngineId.ToString(),
                ["ENGINE_INSTANCE_ID"] = instance.Id.ToString(),
                [HostStatusAnswer.InstanceTokenVariable] = instanceTokens.SecretFor(instance.TokenId),
            }),
            runtime.Command,
            runtime.StopGraceSeconds);
    }
}
