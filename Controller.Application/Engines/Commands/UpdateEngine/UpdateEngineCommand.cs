using Controller.Application.Engines.Models;
using Mediator;

namespace Controller.Application.Engines.Commands.UpdateEngine;

/// <summary>Replace an engine's definition (PUT). A changed desired count is converged to by the next status rounds.</summary>
public sealed record UpdateEngineCommand(Guid EngineId, EngineDefinition Definition) : ICommand<EngineDto>;
