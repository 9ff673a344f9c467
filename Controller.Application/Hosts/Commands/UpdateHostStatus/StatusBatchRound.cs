using Controller.Application.Common.Interfaces;

namespace Controller.Application.Hosts.Commands.UpdateHostStatus;

/// <summary>A status report waiting for a batch: the command and the fingerprint of its containers.</summary>
public sealed record StatusCall(UpdateHostStatusCommand Command, string Fingerprint);

/// <summary>
/// Several status rounds that change engine counts, run as one: the placement gate entered once, the engine rows read
/// once, the hosts and their instances read once, each round decided in turn on those rows (so each sees the counts
/// the ones before it left), and one transaction for all. A host met twice in a batch, or one that does not exist, is
/// left to run on its own (null);
/// a batch that loses a race or fails throws, and all its rounds run on their own.
/// </summary>
public sealed class StatusBatchRound(
    StatusRound round,
    IEngineRepository engines,
    IHostRepository hosts,
    IEngineInstanceRepository instances,
    IUnitOfWork unitOfWork,
    IPlacementGate placementGate)
{
    public async Task<HostStatusAnswer?[]> RunAsync(IReadOnlyList<StatusCall> calls, CancellationToken cancellationToken)
    {
        var answers = new HostStatusAnswer?[calls.Count];
        using var gate = await placementGate.EnterAsync(cancellationToken);
        await unitOfWork.KeepConnectionOpenAsync(cancellationToken);
        var engineRows = (await engines.ListLiveForUpdateAsync(cancellationToken)).ToDictionary(e => e.Id);
        var hostIds = calls.Select(c => c.Command.HostId).Distinct().ToList();
        var hostRows = (await hosts.ListAsync(hostIds, cancellationToken)).ToDictionary(h => h.Id);
        var live = (await instances.ListHoldingForHostsAsync(hostIds, cancellationToken)).ToLookup(i => i.HostId);
        var prepared = new List<(int Index, PreparedRound Round)>();
        var seen = new HashSet<Guid>();
        for (var index = 0; index < calls.Count; index++)
        {
            var (command, fingerprint) = calls[index];
            // A host met twice runs its second report on its own; an unknown one gets its 404 there.
            if (!seen.Add(command.HostId) || !hostRows.TryGetValue(command.HostId, out var host))
            {
                continue;
            }

            var done = await round.PrepareAsync(command, fingerprint, _ => ValueTask.FromResult<Dictionary<Guid, Domain.Engines.Engine>?>(engineRows),
                cancellationToken, rows: new RoundRows(host, [.. live[host.Id]]));
            prepared.Add((index, done!));
        }

        if (prepared.Any(p => p.Round.Host is not null))
        {
            await unitOfWork.SaveChangesAsync(cancellationToken);
        }

        foreach (var (index, done) in prepared)
        {
            answers[index] = round.Complete(done);
        }

        return answers;
    }
}
