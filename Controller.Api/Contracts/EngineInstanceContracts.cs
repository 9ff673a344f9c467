namespace Controller.Api.Contracts;

/// <summary>Body of POST /engine_instance/{id}/heartbeat.</summary>
public sealed record HeartbeatRequest(bool? Busy);
