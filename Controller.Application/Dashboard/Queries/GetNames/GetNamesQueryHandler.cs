using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Models;
using Mediator;

namespace Controller.Application.Dashboard.Queries.GetNames;

public sealed class GetNamesQueryHandler(IClusterReader reader) : IQueryHandler<GetNamesQuery, Names>
{
    public async ValueTask<Names> Handle(GetNamesQuery query, CancellationToken cancellationToken) =>
        query.HostIds.Count + query.EngineIds.Count == 0
            ? Names.None
            : await reader.NamesAsync([.. query.HostIds.Distinct()], [.. query.EngineIds.Distinct()], cancellationToken);
}
