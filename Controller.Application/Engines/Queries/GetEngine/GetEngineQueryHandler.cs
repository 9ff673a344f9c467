using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Controller.Application.Engines.Models;
using Controller.Domain.Engines;
using Controller.Domain.Scheduling;
using Mediator;
using Microsoft.Extensions.Options;

namespace Controller.Application.Engines.Queries.GetEngine;

/// <summary>One engine, with its task backlog and the rollout under way.</summary>
public sealed class GetEngineQueryHandler(IEngineRepository engines, IEngineInstanceRepository instances, ITaskRepository tasks, IOptions<WorkOptions> work, TimeProvider clock)
    : IQueryHandler<GetEngineQuery, EngineDto>
{
    public async ValueTask<EngineDto> Handle(GetEngineQuery query, CancellationToken cancellationToken)
    {
        var engine = await engines.FindAsync(query.EngineId, cancellationToken);
        if (engine is null || engine.State == EngineState.Deleted)
        {
            throw EngineErrors.NotFound(query.EngineId);
        }

        var now = clock.GetUtcNow();
        var rollout = engine.RollingOut
            ? EngineRolloutDto.Of(engine, RollingUpdate.Count(engine, (await instances.ListUpCopiesAsync([engine.Id], cancellationToken))[engine.Id], now))
            : null;
        var backlog = (await tasks.BacklogAsync([engine.Id], work.Value.BacklogCountLimit, cancellationToken)).GetValueOrDefault(engine.Id, TaskBacklog.Empty);
        return engine.ToDto() with
        {
            Backlog = new EngineBacklogDto(backlog.Queued, backlog.Leased, backlog.OldestQueuedAt, backlog.OldestQueuedAgeSeconds(now))
            {
                QueuedCapped = backlog.QueuedCapped,
                LeasedCapped = backlog.LeasedCapped,
            },
            Rollout = rollout,
        };
    }
}
