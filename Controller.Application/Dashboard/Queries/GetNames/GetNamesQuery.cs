using Controller.Application.Common.Models;
using Mediator;

namespace Controller.Application.Dashboard.Queries.GetNames;

/// <summary>The hostnames and engine names of these ids (those still stored), for pages that link to them.</summary>
public sealed record GetNamesQuery(IReadOnlyCollection<Guid> HostIds, IReadOnlyCollection<Guid> EngineIds) : IQuery<Names>;

