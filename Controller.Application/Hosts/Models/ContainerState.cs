namespace Controller.Application.Hosts.Models;

/// <summary>The state of a container as the agent reports it.</summary>
public enum ContainerState
{
    Created,
    Running,
    Exited,
}
