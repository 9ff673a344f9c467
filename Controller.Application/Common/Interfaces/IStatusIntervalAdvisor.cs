namespace Controller.Application.Common.Interfaces;

/// <summary>Tells agents when to report next: grows with the number of hosts, with jitter.</summary>
public interface IStatusIntervalAdvisor
{
    int NextInterval();

    /// <summary>The interval before its jitter: what a stored answer records, so that the jitter alone never makes it differ from the one stored.</summary>
    int BaseInterval { get; }
}
