using Controller.Application.Common.Security;
using Controller.Application.EngineInstances.Models;
using Mediator;

namespace Controller.Application.EngineInstances.Commands.Heartbeat;

/// <summary>The engine says it is alive, and whether it is busy.</summary>
public sealed record HeartbeatCommand(Guid InstanceId, bool Busy) : ICommand<HeartbeatAnswer>, IInstanceScoped;
