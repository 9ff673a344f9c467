using System.Text.Json.Nodes;

namespace Controller.EngineKit;

/// <summary>
/// What an engine author writes: do one task and return its result (any JSON, or null). An exception is a failed
/// outcome with its message kept; the token is cancelled when the task is cancelled (the outcome is then dropped).
/// </summary>
public interface ITaskHandler
{
    Task<JsonNode?> HandleAsync(EngineTask task, CancellationToken cancellationToken);
}

/// <summary>A task handed to this engine copy: its id, payload, which attempt this is, and until when its lease runs.</summary>
public sealed record EngineTask(Guid TaskId, JsonNode? Payload, int Attempt, DateTimeOffset? LeaseExpiresAt);
