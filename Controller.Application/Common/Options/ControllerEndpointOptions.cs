namespace Controller.Application.Common.Options;

/// <summary>Where engine instances reach the controller (told to them as CONTROLLER_URL).</summary>
public sealed class ControllerEndpointOptions
{
    public string? PublicUrl { get; set; }
}
