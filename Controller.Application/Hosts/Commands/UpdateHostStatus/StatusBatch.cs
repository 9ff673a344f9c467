using Controller.Application.Common;
using Controller.Application.Common.Interfaces;
using Controller.Application.Hosts.Models;
using Controller.Domain.Engines;

namespace Controller.Application.Hosts.Commands.UpdateHostStatus;

/// <summary>
/// The status rounds of a batch run as one: the hosts and their instances read once, each round decided in turn
/// (<see cref="StatusRound"/>), and one transaction for all. The first round that changes engine counts enters the
/// placement gate and reads the engine rows, once for the batch; it and the rounds after it decide on those rows (so
/// each sees the counts the ones before it left). A batch that changed nothing but when its hosts were heard from
/// writes nothing (the unit of work hands the times to the last-seen buffer). A host met twice waits for the next batch; an
/// unknown one is refused (404).
/// </summary>
public sealed class StatusBatch(
    StatusRound round,
    RoundCompletion completion,
    IEngineRepository engines,
    IPlacementGate placementGate,
    TimeProvider clock)
{
    public async Task<BatchOutcome<HostStatusAnswer>[]> RunAsync(IReadOnlyList<StatusCall> calls, CancellationToken cancellationToken)
    {
        IDisposable? gate = null;
        Dictionary<Guid, Engine>? engineRows = null;
        try
        {
            return await RunAsync(calls, async ct =>
            {
                gate ??= await placementGate.EnterAsync(ct);

                return engineRows ??= (await engines.ListLiveForUpdateAsync(ct)).ToDictionary(e => e.Id);
            }, cancellationToken);
        }
        finally
        {
            gate?.Dispose();
        }
    }

    private async Task<BatchOutcome<HostStatusAnswer>[]> RunAsync(IReadOnlyList<StatusCall> calls, EngineRowsSource engineRows, CancellationToken cancellationToken)
    {
        var outcomes = new BatchOutcome<HostStatusAnswer>[calls.Count];
        var hostIds = calls.Select(c => c.Command.HostId).Distinct().ToList();
        var readAt = completion.ReadStamp();
        var (hostRows, live) = await round.ReadAsync(hostIds, cancellationToken);
        var now = clock.GetUtcNow();
        var prepared = new List<(int Index, PreparedRound Round)>();
        var seen = new HashSet<Guid>();
        for (var index = 0; index < calls.Count; index++)
        {
            var call = calls[index];
            var hostId = call.Command.HostId;
            if (!hostRows.TryGetValue(hostId, out var host))
            {
                outcomes[index] = BatchOutcome.Refused<HostStatusAnswer>(HostErrors.NotFound(hostId));
            }
            else if (seen.Add(hostId))
            {
                prepared.Add((index, await round.PrepareAsync(call, new RoundRows(host, [.. live[hostId]]), engineRows, now, cancellationToken)));
            }
        }

        await completion.SaveAsync([.. prepared.Select(p => p.Round)], cancellationToken);
        foreach (var (index, done) in prepared)
        {
            outcomes[index] = completion.Complete(done, readAt);
        }

        return outcomes;
    }
}
