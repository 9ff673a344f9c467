using Controller.Application.Common;
using Controller.Application.Common.Models;
using Controller.Application.Common.Telemetry;
using Controller.Application.Hosts.FastPath;
using Controller.Application.Hosts.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Controller.Application.Hosts.Commands.UpdateHostStatus;

/// <summary>
/// Every status report that is not answered from memory runs here, in a <see cref="StatusBatch"/> with the others that
/// arrive together (<see cref="BatchProcessor{TCall,TAnswer}"/>: retries, hand-back of each answer or error).
/// </summary>
public sealed class StatusProcessor(
    IServiceScopeFactory scopes,
    DatabaseProfile database,
    LastSeenBuffer lastSeen,
    ControllerMetrics metrics,
    TimeProvider clock,
    ILogger<StatusProcessor> logger) : BatchProcessor<StatusCall, HostStatusAnswer>(scopes, metrics, logger)
{
    /// <summary>
    /// Reports expected to change counts that may wait at once before placement counts as busy. Past it, a report that
    /// would only take a copy gets none this time (the copy goes to a host whose report finds placement free, or to
    /// this one later), so that reports stay fast while a big scale-up is placed at the rate batches commit; copies to
    /// stop are never deferred. Two: one batch running and the next one filling.
    /// </summary>
    private const int BusyPlacements = 2;

    private int _placements;

    /// <summary>
    /// One batch per writer the database allows and one more (a batch waiting for the placement gate leaves the writers
    /// busy), and at least four: most batches of a steady cluster only read (hosts whose remembered answer aged), and
    /// SQLite's readers run beside its one writer (docs/benchmarks.md, "One path per hot endpoint").
    /// </summary>
    protected override int Loops => Math.Max(4, database.ParallelWriters + 1);

    protected override string Name => "status_batch";

    /// <summary>True while enough reports that change counts wait: launches are deferred (see <see cref="BusyPlacements"/>).</summary>
    public bool PlacementBusy => Volatile.Read(ref _placements) >= BusyPlacements;

    public override async Task<HostStatusAnswer> RunAsync(StatusCall request, CancellationToken cancellationToken)
    {
        var placing = request.ChangesCounts ? 1 : 0;
        Interlocked.Add(ref _placements, placing);
        try
        {
            return await base.RunAsync(request, cancellationToken);
        }
        finally
        {
            Interlocked.Add(ref _placements, -placing);
        }
    }

    protected override Task<BatchOutcome<HostStatusAnswer>[]> RunBatchAsync(IServiceProvider scope, IReadOnlyList<StatusCall> calls, CancellationToken cancellationToken) =>
        scope.GetRequiredService<StatusBatch>().RunAsync(calls, cancellationToken);

    /// <summary>The round lost every race, but the host was heard from: it must not be declared lost for it.</summary>
    protected override void GaveUp(StatusCall request) => lastSeen.Record(request.Command.HostId, clock.GetUtcNow());
}
