using Controller.Application.Common.Security;
using Controller.Application.EngineInstances.Models;
using Mediator;

namespace Controller.Application.EngineInstances.Commands.RegisterEngineInstance;

/// <summary>The engine inside the container announces itself (once).</summary>
public sealed record RegisterEngineInstanceCommand(Guid InstanceId) : ICommand<EngineInstanceDto>, IInstanceScoped;
