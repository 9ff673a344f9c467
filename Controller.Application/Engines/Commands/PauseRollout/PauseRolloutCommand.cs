using Controller.Application.Engines.Models;
using Mediator;

namespace Controller.Application.Engines.Commands.PauseRollout;

/// <summary>Hold an engine's rollout where it is: no more healthy outdated copy is stopped until it is resumed or the engine changes again.</summary>
public sealed record PauseRolloutCommand(Guid EngineId) : ICommand<EngineDto>;
