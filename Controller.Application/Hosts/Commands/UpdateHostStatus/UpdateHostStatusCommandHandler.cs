using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Controller.Application.Common.Telemetry;
using Controller.Application.Hosts.FastPath;
using Mediator;
using Microsoft.Extensions.Options;

namespace Controller.Application.Hosts.Commands.UpdateHostStatus;

/// <summary>
/// One status report: answered from memory when the host is steady, otherwise by a <see cref="StatusRound"/> persisted in
/// one transaction, answering with every order still open (level-triggered). A round that changes engine counts is
/// handed to <see cref="IStatusRoundBatcher"/>, which runs the ones that arrive together under the placement gate in
/// one transaction; one it leaves out runs here under the gate on its own. With <c>BatchWrites</c>, a host whose containers
/// changed or that has no steady round here (its round mostly writes) goes to <see cref="IStatusWriteBatcher"/>, one
/// transaction for those that arrive together. A round
/// that loses a race on a shared row (the host's, or an engine's count) is retried from fresh reads.
/// </summary>
public sealed class UpdateHostStatusCommandHandler(
    StatusRound round,
    IHostRepository hosts,
    IEngineRepository engines,
    IUnitOfWork unitOfWork,
    IStatusIntervalAdvisor intervals,
    IClusterViewSource clusterView,
    IPlacementGate placementGate,
    IStatusRoundBatcher batcher,
    IStatusWriteBatcher writes,
    SteadyStateCache steady,
    LastSeenBuffer lastSeen,
    IOptions<SchedulingOptions> options,
    ControllerMetrics metrics,
    TimeProvider clock) : ICommandHandler<UpdateHostStatusCommand, HostStatusAnswer>
{
    public async ValueTask<HostStatusAnswer> Handle(UpdateHostStatusCommand command, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var o = options.Value;
        var fingerprint = SteadyStateCache.Fingerprint(command.Containers);
        var miss = SteadyMiss.Aged;
        if (o.FastPathMaxAgeSeconds > 0)
        {
            // Steady state: the same containers, nothing to launch or stop. Answered from memory, no database row touched.
            var now = clock.GetUtcNow();
            var snapshot = await clusterView.GetAsync(cancellationToken);
            var maxAge = TimeSpan.FromSeconds(o.FastPathMaxAgeSeconds);
            var outcome = StatusOutcome.Fast;
            var same = steady.Answer(command.HostId, fingerprint, snapshot.Engines, now, maxAge, deferPlacement: false, out miss);
            if (same is null && PlacementBusy())
            {
                // Placement is busy: a host that would only take a copy waits for a later report instead of queueing.
                same = steady.Answer(command.HostId, fingerprint, snapshot.Engines, now, maxAge, deferPlacement: true, out miss);
                outcome = StatusOutcome.Deferred;
            }

            if (same is not null)
            {
                lastSeen.Record(command.HostId, now);
                metrics.StatusReport(outcome, System.Diagnostics.Stopwatch.GetElapsedTime(started));
                return same with { StatusIntervalSeconds = intervals.NextInterval() };
            }
        }

        steady.Forget(command.HostId);
        var call = new StatusCall(command, fingerprint);
        var offerBatch = o.BatchRounds;
        if (offerBatch && (miss == SteadyMiss.CountsChange || (o.BatchWrites == true && miss != SteadyMiss.Aged)))
        {
            // A steady host with copies to stop or room for a copy changes counts: its round goes to a placement batch
            // at once, rather than reading its rows here first only to find that out. Any other round but a refresh
            // is likely to write (a copy came up or ended): it goes to a write batch, one transaction with the others
            // that arrive together, and enters the placement gate only if it changes counts after all.
            var batched = miss == SteadyMiss.CountsChange
                ? await batcher.TryRunAsync(call)
                : await writes.TryRunAsync(call);
            if (batched is not null)
            {
                metrics.StatusReport(StatusOutcome.Full, System.Diagnostics.Stopwatch.GetElapsedTime(started));
                return batched;
            }

            offerBatch = miss != SteadyMiss.CountsChange;
        }

        var deferLaunches = PlacementBusy();
        var attempt = 1;
        while (true)
        {
            try
            {
                var answer = await RoundAsync(command, fingerprint, offerBatch, deferLaunches, cancellationToken);
                if (answer is null)
                {
                    // The round changes counts: run with the others that arrive together, or else here on its own.
                    unitOfWork.Reset();
                    offerBatch = false;
                    answer = await batcher.TryRunAsync(call);
                    if (answer is null)
                    {
                        continue;
                    }
                }

                metrics.StatusReport(StatusOutcome.Full, System.Diagnostics.Stopwatch.GetElapsedTime(started));
                return answer;
            }
            catch (ConcurrencyConflictException) when (attempt < o.MaxRoundAttempts)
            {
                metrics.Conflict("status_round");
                unitOfWork.Reset();
                attempt++;
                // A short real pause (not the injected clock: a test's fake clock would never let it end) spreads the retries.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 * attempt)), cancellationToken);
            }
            catch (ConcurrencyConflictException)
            {
                // The round lost every race, but the host was heard from: it must not be declared lost for it.
                unitOfWork.Reset();
                await hosts.TouchManyAsync([command.HostId], clock.GetUtcNow(), cancellationToken);
                throw;
            }
        }
    }

    /// <summary>
    /// Placement is busy when enough rounds that change counts already wait for a batch: a report that would only take a
    /// copy is then answered without one (from memory if the host is steady), and the copy goes to a later report.
    /// </summary>
    private bool PlacementBusy() =>
        options.Value is { BatchRounds: true, DeferPlacementQueue: > 0 } o && batcher.Queued >= o.DeferPlacementQueue;

    /// <summary>One round in this request's scope; null when it would change counts and <paramref name="offerBatch"/> says to hand it over.</summary>
    private async Task<HostStatusAnswer?> RoundAsync(UpdateHostStatusCommand command, string fingerprint, bool offerBatch, bool deferLaunches, CancellationToken cancellationToken)
    {
        IDisposable? gate = null;
        try
        {
            await unitOfWork.KeepConnectionOpenAsync(cancellationToken);
            var prepared = await round.PrepareAsync(command, fingerprint, async ct =>
            {
                if (offerBatch)
                {
                    return null;
                }

                // No connection is held while waiting for the gate (its holder, or a batch, may need one from the pool).
                unitOfWork.ReleaseConnection();
                gate = await placementGate.EnterAsync(ct);
                await unitOfWork.KeepConnectionOpenAsync(ct);
                return (await engines.ListLiveForUpdateAsync(ct)).ToDictionary(e => e.Id);
            }, cancellationToken, deferLaunches);
            if (prepared is null)
            {
                return null;
            }

            if (prepared.Host is { } host)
            {
                if (unitOfWork.OnlyHostsSeen())
                {
                    // Nothing changed but the time the host was heard from: that goes to the buffer, no write transaction.
                    lastSeen.Record(host.Id, host.LastSeenAt);
                }
                else
                {
                    await unitOfWork.SaveChangesAsync(cancellationToken);
                }
            }

            return round.Complete(prepared);
        }
        finally
        {
            gate?.Dispose();
        }
    }
}
