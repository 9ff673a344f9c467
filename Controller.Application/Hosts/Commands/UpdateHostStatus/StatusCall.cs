namespace Controller.Application.Hosts.Commands.UpdateHostStatus;

/// <summary>
/// A status report that needs a round: the command, the fingerprint of its containers, whether it is expected to
/// change engine counts (its steady answer said so), and whether launches are deferred (placement was busy when it came).
/// </summary>
public sealed record StatusCall(UpdateHostStatusCommand Command, string Fingerprint, bool ChangesCounts = false, bool DeferLaunches = false);
