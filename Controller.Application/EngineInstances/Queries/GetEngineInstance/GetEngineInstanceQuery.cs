using Controller.Application.Common.Security;
using Controller.Application.EngineInstances.Models;
using Mediator;

namespace Controller.Application.EngineInstances.Queries.GetEngineInstance;

public sealed record GetEngineInstanceQuery(Guid InstanceId) : IQuery<EngineInstanceDto>, IInstanceScoped;
