using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Controller.Application.Engines.Models;
using Controller.Domain.Engines;
using Mediator;
using Microsoft.Extensions.Options;

namespace Controller.Application.Engines.Queries.GetEngine;

/// <summary>One engine, with its task backlog.</summary>
public sealed class GetEngineQueryHandler(IEngineRepository engines, ITaskRepository tasks, IOptions<WorkOptions> work, TimeProvider clock) : IQueryHandler<GetEngineQuery, EngineDto>
{
    public async ValueTask<EngineDto> Handle(GetEngineQuery query, CancellationToken cancellationToken)
    {
        var engine = await engines.FindAsync(query.EngineId, cancellationToken);
        if (engine is null || engine.State == EngineState.Deleted)
        {
            throw EngineErrors.NotFound(query.EngineId);
        }

        var backlog = (await tasks.BacklogAsync([engine.Id], work.Value.BacklogCountLimit, cancellationToken)).GetValueOrDefault(engine.Id, TaskBacklog.Empty);
        return engine.ToDto() with
        {
            Backlog = new EngineBacklogDto(backlog.Queued, backlog.Leased, backlog.OldestQueuedAt, backlog.OldestQueuedAgeSeconds(clock.GetUtcNow()))
            {
                QueuedCapped = backlog.QueuedCapped,
                LeasedCapped = backlog.LeasedCapped,
            },
        };
    }
}
