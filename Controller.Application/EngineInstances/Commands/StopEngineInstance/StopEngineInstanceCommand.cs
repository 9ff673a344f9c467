using Controller.Application.EngineInstances.Models;
using Mediator;

namespace Controller.Application.EngineInstances.Commands.StopEngineInstance;

/// <summary>An admin stops an instance; its host's next status answer terminates it.</summary>
public sealed record StopEngineInstanceCommand(Guid InstanceId) : ICommand<EngineInstanceDto>;
