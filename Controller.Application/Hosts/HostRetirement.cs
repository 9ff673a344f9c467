using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Security;
using Controller.Domain.Common;
using Controller.Domain.Hosts;
using Controller.Domain.Scheduling;

namespace Controller.Application.Hosts;

/// <summary>A host ended by the sweep, as it was when it was last heard from.</summary>
public sealed record RetiredHost(Guid Id, string Hostname, DateTimeOffset LastSeenAt, int Copies);

/// <summary>
/// Ends a silent host with everything on it, under the placement gate and in one transaction: its copies are lost,
/// their counts released (no back-off: the host failed, not the engine) and their tokens revoked. Null when the host
/// reported (or changed) meanwhile: it is judged again at the next sweep.
/// </summary>
public sealed class HostRetirement(
    IHostRepository hosts,
    IEngineRepository engines,
    IEngineInstanceRepository instances,
    TokenRevoker tokens,
    IUnitOfWork unitOfWork,
    IPlacementGate placementGate)
{
    public Task<RetiredHost?> MarkLostAsync(Guid hostId, DateTimeOffset seenBefore, DateTimeOffset now, CancellationToken cancellationToken) =>
        RetireAsync(hostId, seenBefore, async host =>
        {
            if (host.State is not (HostState.Active or HostState.Draining or HostState.Drained))
            {
                return null;
            }

            host.MarkLost(now);
            return await EndInstancesAsync(host, now, cancellationToken);
        }, cancellationToken);

    /// <summary>A terminating host whose agent went silent: terminated here; its tokens stop working after <paramref name="grace"/>.</summary>
    public Task<RetiredHost?> FinishTerminationAsync(Guid hostId, DateTimeOffset seenBefore, DateTimeOffset now, TimeSpan grace, CancellationToken cancellationToken) =>
        RetireAsync(hostId, seenBefore, async host =>
        {
            if (host.State != HostState.Terminating)
            {
                return null;
            }

            var copies = await EndInstancesAsync(host, now, cancellationToken);
            await HostTermination.CompleteAsync(host, tokens, now, grace, cancellationToken);
            return copies;
        }, cancellationToken);

    /// <summary>Under the gate: <paramref name="end"/> ends the host if it applies (how many copies it had), or says null.</summary>
    private async Task<RetiredHost?> RetireAsync(Guid hostId, DateTimeOffset seenBefore, Func<Host, Task<int?>> end, CancellationToken cancellationToken)
    {
        try
        {
            using var _ = await placementGate.EnterAsync(cancellationToken);
            var host = await hosts.FindAsync(hostId, cancellationToken);
            if (host is null || host.LastSeenAt >= seenBefore || await end(host) is not { } copies)
            {
                return null;
            }

            await unitOfWork.SaveChangesAsync(cancellationToken);
            return new RetiredHost(host.Id, host.Hostname, host.LastSeenAt, copies);
        }
        catch (ConcurrencyConflictException)
        {
            return null; // the host reported (or something else changed it) meanwhile
        }
        finally
        {
            unitOfWork.Reset();
        }
    }

    private async Task<int> EndInstancesAsync(Host host, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var holding = await instances.ListHoldingForHostAsync(host.Id, cancellationToken);
        var catalogue = (await engines.ListLiveForUpdateAsync(cancellationToken)).ToDictionary(e => e.Id);
        EngineCounts.Release([.. holding.Where(i => i.MarkLost(now))], catalogue, now, backoff: null);
        await tokens.RevokeForInstancesAsync([.. holding.Select(i => i.Id)], now, cancellationToken);
        host.SetAllocated(Resources.Zero);
        return holding.Count;
    }
}
