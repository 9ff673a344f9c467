using Controller.Application.Common.Telemetry;
using Mediator;

namespace Controller.Application.Dashboard.Queries.GetEngineHistory;

/// <summary>Desired and active copies of the engines over the last hour, as this replica read them.</summary>
public sealed record GetEngineHistoryQuery : IQuery<EngineHistory>;

public sealed record EngineHistory(DateTimeOffset Now, IReadOnlyList<EngineSample> Samples);
