namespace Controller.Application.Common.Interfaces;

/// <summary>Tells agents when to report next: grows with the number of hosts, with jitter.</summary>
public interface IStatusIntervalAdvisor
{
    int NextInterval();
}
