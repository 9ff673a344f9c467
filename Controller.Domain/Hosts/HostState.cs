namespace Controller.Domain.Hosts;

public enum HostState
{
    Active,
    Draining,
    Drained,
    Terminating,
    Terminated,
    Lost,
}
