using Controller.Application.Common;
using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Models;
using Controller.Application.Common.Options;
using Controller.Application.Common.Security;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Controller.Domain.Scheduling;
using Controller.Domain.Hosts;
using Controller.Domain.Tokens;
using FluentValidation;
using Mediator;
using Microsoft.Extensions.Options;

namespace Controller.Application.EngineInstances;

/// <summary>The engine inside the container announces itself (once).</summary>
public sealed record RegisterEngineInstanceCommand(Guid InstanceId) : ICommand<EngineInstanceDto>, IInstanceScoped;

/// <summary>The engine says it is alive, and whether it is busy.</summary>
public sealed record HeartbeatCommand(Guid InstanceId, bool Busy) : ICommand<HeartbeatAnswer>, IInstanceScoped;

/// <summary>An admin stops an instance; its host's next status answer terminates it.</summary>
public sealed record StopEngineInstanceCommand(Guid InstanceId) : ICommand<EngineInstanceDto>;

public sealed record GetEngineInstanceQuery(Guid InstanceId) : IQuery<EngineInstanceDto>, IInstanceScoped;

public sealed record ListEngineInstancesQuery(Guid? EngineId, Guid? HostId, EngineInstanceState? State, int Page = 1, int PageSize = PagingRules.DefaultPageSize)
    : IQuery<PagedResult<EngineInstanceDto>>, IPagedQuery;

public sealed class ListEngineInstancesQueryValidator : AbstractValidator<ListEngineInstancesQuery>
{
    public ListEngineInstancesQueryValidator()
    {
        this.AddPagingRules();
        RuleFor(q => q.State).IsInEnum();
    }
}

public sealed class RegisterEngineInstanceCommandHandler(
    IEngineInstanceRepository instances,
    IEngineRepository engines,
    IUnitOfWork unitOfWork,
    IOptions<SchedulingOptions> scheduling,
    TimeProvider clock)
    : ICommandHandler<RegisterEngineInstanceCommand, EngineInstanceDto>
{
    public async ValueTask<EngineInstanceDto> Handle(RegisterEngineInstanceCommand command, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var instance = await instances.FindAsync(command.InstanceId, cancellationToken) ?? throw EngineInstanceErrors.NotFound(command.InstanceId);
        var healthy = instance.BecomesHealthyAt(now, scheduling.Value.HealthyAfter());
        instance.Register(now);
        if (healthy)
        {
            await ForgiveFailuresAsync(engines, instance.EngineId, now, cancellationToken);
        }

        await unitOfWork.SaveChangesAsync(cancellationToken);
        return instance.ToDto();
    }

    /// <summary>A copy proved healthy: its engine's failures are forgiven (on the tracked row).</summary>
    internal static async Task ForgiveFailuresAsync(IEngineRepository engines, Guid engineId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var engine = await engines.FindAsync(engineId, cancellationToken);
        if (engine is { ConsecutiveFailures: > 0 })
        {
            engine.RecordSuccess(now);
        }
    }
}

/// <summary>Liveness, and the leases of the tasks the instance holds run for another timeout. Retried from fresh reads when it loses a race.</summary>
public sealed class HeartbeatCommandHandler(
    IEngineInstanceRepository instances,
    IEngineRepository engines,
    IHostRepository hosts,
    ITaskRepository tasks,
    IUnitOfWork unitOfWork,
    IOptions<SchedulingOptions> scheduling,
    TimeProvider clock)
    : ICommandHandler<HeartbeatCommand, HeartbeatAnswer>
{

    public async ValueTask<HeartbeatAnswer> Handle(HeartbeatCommand command, CancellationToken cancellationToken) =>
        await ConflictRetry.RunAsync(unitOfWork, () => BeatAsync(command, cancellationToken));

    private async Task<HeartbeatAnswer> BeatAsync(HeartbeatCommand command, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var instance = await instances.FindAsync(command.InstanceId, cancellationToken) ?? throw EngineInstanceErrors.NotFound(command.InstanceId);
        var mine = await tasks.ListHeldByAsync(instance.Id, now, cancellationToken);
        var held = mine.Count(t => t.ExtendLease(instance.Id, now));

        // An instance holding tasks is busy whatever it says: a scale-down takes idle copies first.
        var healthy = instance.BecomesHealthyAt(now, scheduling.Value.HealthyAfter());
        instance.Heartbeat(command.Busy || held > 0, now);
        if (healthy)
        {
            await RegisterEngineInstanceCommandHandler.ForgiveFailuresAsync(engines, instance.EngineId, now, cancellationToken);
        }

        var hostState = await hosts.StateOfAsync(instance.HostId, cancellationToken);
        await unitOfWork.SaveChangesAsync(cancellationToken);
        var acceptWork = instance.State == EngineInstanceState.Running && hostState == HostState.Active;
        var cancelled = mine.Where(t => t.IsCancellationNoticeFor(instance.Id, now)).Select(t => t.Id).ToList();
        // A displaced copy keeps running (without new work) until its replacement runs; it is stopped through its host.
        return new HeartbeatAnswer(acceptWork && !instance.Displaced, !instance.IsUp, instance.State, cancelled);
    }
}

public sealed class StopEngineInstanceCommandHandler(
    IEngineInstanceRepository instances,
    IEngineRepository engines,
    IUnitOfWork unitOfWork,
    IPlacementGate placementGate,
    TimeProvider clock) : ICommandHandler<StopEngineInstanceCommand, EngineInstanceDto>
{
    public const string Reason = "stopped_by_admin";

    public async ValueTask<EngineInstanceDto> Handle(StopEngineInstanceCommand command, CancellationToken cancellationToken)
    {
        using (await placementGate.EnterAsync(cancellationToken))
        {
            var instance = await instances.FindAsync(command.InstanceId, cancellationToken) ?? throw EngineInstanceErrors.NotFound(command.InstanceId);
            var now = clock.GetUtcNow();
            if (instance.RequestStop(Reason, now) && await engines.FindAsync(instance.EngineId, cancellationToken) is { } engine)
            {
                EngineCounts.Release([instance], new Dictionary<Guid, Engine> { [engine.Id] = engine }, now, backoff: null);
            }

            await unitOfWork.SaveChangesAsync(cancellationToken);
            return instance.ToDto();
        }
    }
}

public sealed class GetEngineInstanceQueryHandler(IEngineInstanceRepository instances, ICurrentCaller caller)
    : IQueryHandler<GetEngineInstanceQuery, EngineInstanceDto>
{
    public async ValueTask<EngineInstanceDto> Handle(GetEngineInstanceQuery query, CancellationToken cancellationToken)
    {
        var instance = await instances.FindAsync(query.InstanceId, cancellationToken) ?? throw EngineInstanceErrors.NotFound(query.InstanceId);
        if (caller.Kind == TokenKind.Host && caller.HostId != instance.HostId)
        {
            throw new ForbiddenException("This engine instance runs on another host.", new Dictionary<string, object?> { ["engineInstanceId"] = instance.Id });
        }

        return instance.ToDto();
    }
}

public sealed class ListEngineInstancesQueryHandler(IEngineInstanceRepository instances)
    : IQueryHandler<ListEngineInstancesQuery, PagedResult<EngineInstanceDto>>
{
    public async ValueTask<PagedResult<EngineInstanceDto>> Handle(ListEngineInstancesQuery query, CancellationToken cancellationToken)
    {
        var (items, total) = await instances.ListAsync(query.EngineId, query.HostId, query.State, query.Skip(), query.PageSize, cancellationToken);
        return new PagedResult<EngineInstanceDto>([.. items.Select(i => i.ToDto())], query.Page, query.PageSize, total);
    }
}
