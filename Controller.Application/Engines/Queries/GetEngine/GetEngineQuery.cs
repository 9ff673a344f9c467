using Controller.Application.Common.Interfaces;
using Controller.Application.Engines.Models;
using Controller.Domain.Engines;
using Mediator;

namespace Controller.Application.Engines.Queries.GetEngine;

public sealed record GetEngineQuery(Guid EngineId) : IQuery<EngineDto>;

public sealed class GetEngineQueryHandler(IEngineRepository engines) : IQueryHandler<GetEngineQuery, EngineDto>
{
    public async ValueTask<EngineDto> Handle(GetEngineQuery query, CancellationToken cancellationToken)
    {
        var engine = await engines.FindAsync(query.EngineId, cancellationToken);
        return engine is null || engine.State == EngineState.Deleted ? throw EngineErrors.NotFound(query.EngineId) : engine.ToDto();
    }
}
