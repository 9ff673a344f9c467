using Controller.Application.Common.Telemetry;
using Mediator;

namespace Controller.Application.Dashboard.Queries.GetEngineHistory;

public sealed class GetEngineHistoryQueryHandler(ClusterGauges gauges, TimeProvider clock) : IQueryHandler<GetEngineHistoryQuery, EngineHistory>
{
    public ValueTask<EngineHistory> Handle(GetEngineHistoryQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new EngineHistory(clock.GetUtcNow(), gauges.History()));
}
