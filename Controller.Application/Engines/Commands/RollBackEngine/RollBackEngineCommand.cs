using Controller.Application.Engines.Models;
using Mediator;

namespace Controller.Application.Engines.Commands.RollBackEngine;

/// <summary>
/// Make an earlier revision the engine's definition again (<paramref name="Revision"/>; when left out, its stable
/// revision, or else the one before the current): copies of other revisions are replaced under the update policy.
/// </summary>
public sealed record RollBackEngineCommand(Guid EngineId, int? Revision) : ICommand<EngineDto>;
