using System.Text.Json.Serialization;
using Controller.Api.OpenApi;

namespace Controller.Api.Contracts;

/// <summary>active, deleting (its copies are stopped), deleted.</summary>
public enum EngineState
{
    Active,
    Deleting,
    Deleted,
}

/// <summary>
/// An engine definition as an admin sends it (POST and PUT). Strict: an unknown field is a 400 naming it (admin
/// requests are written by people, and a typo must not be ignored).
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
[ValidatedAs(typeof(Application.Engines.Models.EngineDefinition))]
public sealed record EngineRequest(
    string? Name,
    string? Image,
    ResourcesRequest? Resources,
    int? Priority,
    int? MinInstances,
    int? MaxInstances,
    int? DesiredInstances,
    IReadOnlyDictionary<string, string>? HostLabels);

/// <summary>An engine as the controller answers it.</summary>
public sealed record EngineResponse(
    Guid EngineId,
    string Name,
    string Image,
    ResourcesResponse Resources,
    int Priority,
    int MinInstances,
    int MaxInstances,
    int DesiredInstances,
    IReadOnlyDictionary<string, string> HostLabels,
    EngineState State,
    int ActiveInstances,
    int ConsecutiveFailures,
    DateTimeOffset? BackoffUntil,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
