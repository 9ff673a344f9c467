namespace Controller.Domain.EngineInstances;

public enum EngineInstanceState
{
    /// <summary>Launch sent; the agent has not reported the container yet.</summary>
    Pending,

    /// <summary>The agent reports the container.</summary>
    Starting,

    /// <summary>The engine registered or heartbeats.</summary>
    Running,

    /// <summary>Terminate sent; the container is not gone yet.</summary>
    Stopping,

    Stopped,

    /// <summary>Not confirmed in time, exited on its own, or silent.</summary>
    Failed,

    /// <summary>Its host was lost.</summary>
    Lost,
}
