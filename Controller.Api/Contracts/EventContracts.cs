namespace Controller.Api.Contracts;

/// <summary>
/// One entry of the cluster event feed. <c>eventId</c> orders the feed (pass the last one seen as <c>after</c>);
/// <c>type</c> is one of host.registered, host.draining, host.drained, host.undrained, host.lost, host.back,
/// host.terminating, host.terminated, instance.launched, instance.starting, instance.running, instance.displaced,
/// instance.stopping, instance.stopped, instance.failed, instance.lost, engine.created, engine.scaled, engine.deleting,
/// engine.deleted, engine.backoff_started, engine.backoff_ended, sweep.held_back, sweep.resumed; <c>reason</c> a short
/// machine-readable why (a stop reason, a failure, the state left); <c>message</c> one sentence for people.
/// </summary>
public sealed record EventResponse(long EventId, string Type, DateTimeOffset At, Guid? HostId, Guid? EngineId, Guid? InstanceId, string? Reason, int? ExitCode, string Message);

/// <summary>A page of the feed, oldest first. <c>lastEventId</c>: pass it as <c>after</c> to read on (unchanged when the page is empty).</summary>
public sealed record EventPageResponse(IReadOnlyList<EventResponse> Items, long? LastEventId);
