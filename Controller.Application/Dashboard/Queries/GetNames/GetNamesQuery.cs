using Mediator;

namespace Controller.Application.Dashboard.Queries.GetNames;

/// <summary>The hostnames and engine names of these ids (those still stored), for pages that link to them.</summary>
public sealed record GetNamesQuery(IReadOnlyCollection<Guid> HostIds, IReadOnlyCollection<Guid> EngineIds) : IQuery<Names>;

/// <summary>Names by id; an id that is not there (deleted, past its retention) has none.</summary>
public sealed record Names(IReadOnlyDictionary<Guid, string> Hosts, IReadOnlyDictionary<Guid, string> Engines)
{
    public static Names None { get; } = new(new Dictionary<Guid, string>(), new Dictionary<Guid, string>());
}
