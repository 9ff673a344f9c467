using Controller.Application.Common.Interfaces;

namespace Controller.Application.Hosts.Commands.UpdateHostStatus;

/// <summary>A status report waiting for a batch: the command and the fingerprint of its containers.</summary>
public sealed record StatusCall(UpdateHostStatusCommand Command, string Fingerprint);

/// <summary>
/// Several status rounds run as one: the hosts and their instances read once, each round decided in turn, and one
/// transaction for all. The first round that changes engine counts enters the placement gate and reads the engine
/// rows, once for the batch; it and the rounds after it decide on those rows (so each sees the counts the ones before
/// it left). A host met twice in a batch, or one that does not exist, is left to run on its own (null); a batch that
/// loses a race or fails throws, and all its rounds run on their own.
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
        IDisposable? gate = null;
        Dictionary<Guid, Domain.Engines.Engine>? engineRows = null;
        try
        {
            await RunAsync(calls, answers, async ct =>
            {
                if (gate is null)
                {
                    unitOfWork.ReleaseConnection(); // not held while waiting for the gate
                    gate = await placementGate.EnterAsync(ct);
                    await unitOfWork.KeepConnectionOpenAsync(ct);
                }

                return engineRows ??= (await engines.ListLiveForUpdateAsync(ct)).ToDictionary(e => e.Id);
            }, cancellationToken);
        }
        finally
        {
            gate?.Dispose();
        }

        return answers;
    }

    private async Task RunAsync(IReadOnlyList<StatusCall> calls, HostStatusAnswer?[] answers, EngineRowsSource engineRows, CancellationToken cancellationToken)
    {
        await unitOfWork.KeepConnectionOpenAsync(cancellationToken);
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

            var done = await round.PrepareAsync(command, fingerprint, engineRows, cancellationToken, rows: new RoundRows(host, [.. live[host.Id]]));
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
    }
}
