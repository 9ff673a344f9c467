namespace Controller.Application.Common.Models;

/// <summary>A host and when the latest change to it or its copies happened.</summary>
public sealed record HostChange(Guid HostId, DateTimeOffset At);
