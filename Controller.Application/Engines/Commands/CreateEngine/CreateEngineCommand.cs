using Controller.Application.Engines.Models;
using Mediator;

namespace Controller.Application.Engines.Commands.CreateEngine;

/// <summary>Add an engine to the catalogue.</summary>
public sealed record CreateEngineCommand(EngineDefinition Definition) : ICommand<EngineDto>;
