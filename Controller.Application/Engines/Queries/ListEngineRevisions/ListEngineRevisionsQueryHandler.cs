using Controller.Application.Common.Interfaces;
using Controller.Application.Engines.Commands;
using Controller.Application.Engines.Models;
using Mediator;

namespace Controller.Application.Engines.Queries.ListEngineRevisions;

public sealed class ListEngineRevisionsQueryHandler(IEngineRepository engines, IEngineRevisionRepository revisions)
    : IQueryHandler<ListEngineRevisionsQuery, IReadOnlyList<EngineRevisionDto>>
{
    public async ValueTask<IReadOnlyList<EngineRevisionDto>> Handle(ListEngineRevisionsQuery query, CancellationToken cancellationToken)
    {
        var engine = await EngineUpdates.FindLiveAsync(engines, query.EngineId, cancellationToken);
        return [.. (await revisions.ListAsync(engine.Id, cancellationToken)).Select(r => r.ToDto(engine))];
    }
}
