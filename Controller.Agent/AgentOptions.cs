using System.ComponentModel.DataAnnotations;

namespace Controller.Agent;

/// <summary>The agent's settings (section <c>Agent</c>: appsettings.json, <c>Agent__…</c> environment variables, <c>--Agent:…</c> arguments).</summary>
public sealed class AgentOptions : IValidatableObject
{
    public const string Section = "Agent";

    /// <summary>The controller's URL, e.g. <c>http://controller:5080</c>.</summary>
    [Required]
    public Uri? ControllerUrl { get; set; }

    /// <summary>A registration (or admin) token, used only for the first registration of this host.</summary>
    public string? RegistrationToken { get; set; }

    /// <summary>A file holding the registration token (kept out of the process's environment and command line).</summary>
    public string? RegistrationTokenFile { get; set; }

    /// <summary>Where the agent keeps its host id and token (0600) and its engines' state and logs.</summary>
    [Required]
    public string DataDirectory { get; set; } = "agent-data";

    /// <summary><c>process</c> (child processes) or <c>docker</c> (the Docker Engine API).</summary>
    public AgentDriver Driver { get; set; } = AgentDriver.Process;

    /// <summary>Labels of this host (engines may require them through their <c>hostLabels</c>).</summary>
    public Dictionary<string, string> Labels { get; set; } = [];

    /// <summary>Left for the system and the agent itself, as the kubelet's reserved resources.</summary>
    public ReservedResources Reserved { get; set; } = new();

    public DockerSettings Docker { get; set; } = new();

    /// <summary>Rotate the host token once it is this old (0: only when asked, with the <c>rotate-token</c> verb).</summary>
    [Range(0, 100_000)]
    public int RotateTokenAfterHours { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ControllerUrl is { IsAbsoluteUri: false } or { Scheme: not ("http" or "https") })
        {
            yield return new ValidationResult("Agent:ControllerUrl must be an absolute http(s) URL.", [nameof(ControllerUrl)]);
        }

        if (RegistrationTokenFile is { Length: > 0 } file && !File.Exists(file))
        {
            yield return new ValidationResult($"Agent:RegistrationTokenFile '{file}' does not exist.", [nameof(RegistrationTokenFile)]);
        }
    }

    /// <summary>The registration token from the setting or its file, or null.</summary>
    public string? ReadRegistrationToken() =>
        RegistrationToken is { Length: > 0 } token ? token
        : RegistrationTokenFile is { Length: > 0 } file ? File.ReadAllText(file).Trim()
        : null;
}

public enum AgentDriver
{
    Process,
    Docker,
}

public sealed class ReservedResources
{
    [Range(0, int.MaxValue)]
    public int CpuMillicores { get; set; }

    [Range(0, int.MaxValue)]
    public int MemoryMiB { get; set; }
}

public sealed class DockerSettings
{
    /// <summary>The Docker Engine endpoint.</summary>
    public Uri Endpoint { get; set; } = new("unix:///var/run/docker.sock");

    /// <summary>The containers' network mode (<c>host</c> lets engines reach a controller on loopback).</summary>
    public string NetworkMode { get; set; } = "bridge";
}
