using Controller.Application.Engines.Models;
using Mediator;

namespace Controller.Application.Engines.Commands.DeleteEngine;

/// <summary>Delete an engine: its instances are stopped by the next status rounds, then it is gone.</summary>
public sealed record DeleteEngineCommand(Guid EngineId) : ICommand<EngineDto>;
