using Controller.Domain.Events;

namespace Controller.Application.Events.Models;

public sealed record EventDto(long EventId, string Type, DateTimeOffset At, Guid? HostId, Guid? EngineId, Guid? InstanceId, string? Reason, int? ExitCode, string Message)
{
    public static EventDto From(ClusterEvent e) => new(e.Sequence, e.Type, e.At, e.HostId, e.EngineId, e.InstanceId, e.Reason, e.ExitCode, e.Message);
}

/// <summary>A page of the feed, oldest first; <see cref="LastEventId"/> is the cursor to pass as <c>after</c> next time.</summary>
public sealed record EventPage(IReadOnlyList<EventDto> Items, long? LastEventId);
