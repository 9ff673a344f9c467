using Controller.Application.Engines.Models;
using Mediator;

namespace Controller.Application.Engines.Queries.GetEngine;

public sealed record GetEngineQuery(Guid EngineId) : IQuery<EngineDto>;
