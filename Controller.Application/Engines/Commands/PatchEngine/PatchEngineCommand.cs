using System.Text.Json.Nodes;
using Controller.Application.Engines.Models;
using Mediator;

namespace Controller.Application.Engines.Commands.PatchEngine;

/// <summary>
/// Change some fields of an engine with a JSON merge patch (RFC 7396): members present replace the current values
/// (objects merge member by member), <c>null</c> removes a member (back to its default), the rest is kept.
/// </summary>
public sealed record PatchEngineCommand(Guid EngineId, JsonObject? Patch) : ICommand<EngineDto>;
