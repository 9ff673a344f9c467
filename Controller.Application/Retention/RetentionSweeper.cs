using System.Diagnostics;
using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Microsoft.Extensions.Options;

namespace Controller.Application.Retention;

/// <summary>
/// The sweep's retention step: every table the cluster fills is kept to its <see cref="RetentionOptions"/> retention.
/// Each kind is deleted in batches of <see cref="Batch"/> rows until a batch comes back short (nothing left) or the step
/// has used its budget of time, so that one sweep deletes as much as the cluster wrote since the
/// last and a backlog of millions is worked off over a few sweeps without holding the sweep lease for minutes.
/// Children go before what they name: instances before their hosts and engines.
/// </summary>
public sealed class RetentionSweeper(IRetentionStore store, IOptions<RetentionOptions> retention, IOptions<EventOptions> events, TimeProvider clock)
{
    /// <summary>Rows per statement: large enough to keep up (tens of thousands a second), small enough for a short transaction.</summary>
    public const int Batch = 5000;

    /// <summary>Deletes what is past its retention; returns how many rows of each kind went, and which kinds failed.</summary>
    public async Task<RetentionResult> SweepAsync(TimeSpan budget, CancellationToken cancellationToken)
    {
        var o = retention.Value;
        var now = clock.GetUtcNow();
        DateTimeOffset Before(double hours) => now - TimeSpan.FromHours(hours);
        var kinds = new (string Kind, Func<Task<int>> DeleteBatch)[]
        {
            ("tasks", () => store.DeleteFinishedTasksAsync(Before(o.TasksHours), Batch, cancellationToken)),
            ("events", () => store.DeleteEventsAsync(Before(o.EventsHours), events.Value.MaxCount, Batch, cancellationToken)),
            ("instances", () => store.DeleteEndedInstancesAsync(Before(o.InstancesHours), Batch, cancellationToken)),
            ("hosts", () => store.DeleteGoneHostsAsync(Before(o.HostsHours), Batch, cancellationToken)),
            ("tokens", () => store.DeleteDeadTokensAsync(Before(o.TokensHours), Batch, cancellationToken)),
            ("audit", () => store.DeleteAuditAsync(Before(o.AuditHours), Batch, cancellationToken)),
            ("engines", () => store.DeleteDeletedEnginesAsync(Before(o.EnginesHours), Batch, cancellationToken)),
        };

        var started = Stopwatch.GetTimestamp();
        var deleted = new Dictionary<string, int>();
        var failures = new List<RetentionException>();
        foreach (var (kind, deleteBatch) in kinds)
        {
            var total = 0;
            try
            {
                int last;
                do
                {
                    last = await deleteBatch();
                    total += last;
                }
                while (last == Batch && Stopwatch.GetElapsedTime(started) < budget);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // One kind failing does not keep the others from their retention; the step reports it at the end.
                failures.Add(new RetentionException(kind, e));
            }

            deleted[kind] = total;
        }

        return new RetentionResult(deleted, failures);
    }
}

/// <summary>Rows deleted per kind; the kinds whose retention failed (the others still ran).</summary>
public sealed record RetentionResult(IReadOnlyDictionary<string, int> Deleted, IReadOnlyList<RetentionException> Failures);

/// <summary>The retention of one kind of row failed (the others still ran).</summary>
public sealed class RetentionException(string kind, Exception inner) : Exception($"Retention of {kind} failed: {inner.Message}", inner)
{
    public string Kind { get; } = kind;
}
