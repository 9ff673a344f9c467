using System.ComponentModel.DataAnnotations;

namespace Controller.EngineKit;

/// <summary>
/// Who this engine copy is and where its controller is: read from the environment the agent gives every launch
/// (<c>CONTROLLER_URL</c>, <c>ENGINE_ID</c>, <c>ENGINE_INSTANCE_ID</c>, <c>ENGINE_INSTANCE_TOKEN</c>).
/// </summary>
public sealed class EngineKitOptions
{
    [Required(ErrorMessage = "CONTROLLER_URL is not set: an engine is started by the agent, which sets it.")]
    public Uri? ControllerUrl { get; set; }

    public Guid EngineId { get; set; }

    [Required(ErrorMessage = "ENGINE_INSTANCE_ID is not set: an engine is started by the agent, which sets it.")]
    public Guid? InstanceId { get; set; }

    [Required(ErrorMessage = "ENGINE_INSTANCE_TOKEN is not set: an engine is started by the agent, which sets it.")]
    public string? InstanceToken { get; set; }

    /// <summary>Tasks taken per getwork call (handled one after the other).</summary>
    [Range(1, 100)]
    public int MaxItems { get; set; } = 1;

    /// <summary>How often the copy heartbeats (this also extends the leases of the tasks it holds).</summary>
    [Range(1, 3600)]
    public int HeartbeatSeconds { get; set; } = 10;
}
