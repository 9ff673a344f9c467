using Controller.Application.Engines.Models;
using Mediator;

namespace Controller.Application.Engines.Queries.ListEngineRevisions;

/// <summary>The revisions of an engine that are kept, newest first.</summary>
public sealed record ListEngineRevisionsQuery(Guid EngineId) : IQuery<IReadOnlyList<EngineRevisionDto>>;
