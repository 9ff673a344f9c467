using Controller.Application.Common;
using Controller.Application.Common.Interfaces;
using Controller.Application.Hosts.Models;
using Controller.Domain.Hosts;

namespace Controller.Application.Hosts;

/// <summary>What the admin commands that change a host share: the host or 404, and the retry of a lost race.</summary>
internal static class HostUpdates
{
    /// <summary>
    /// Applies <paramref name="change"/> to the host and saves it. The host's own status rounds write its row every few
    /// seconds: a change that loses that race is made again on a fresh read (<see cref="ConflictRetry"/>), so an admin's
    /// drain or termination does not fail because the host reported at the same moment.
    /// </summary>
    public static Task<HostSummaryDto> RunAsync(IHostRepository hosts, IUnitOfWork unitOfWork, Guid hostId, Action<Host> change, CancellationToken cancellationToken) =>
        ConflictRetry.RunAsync(unitOfWork, async () =>
        {
            var host = await hosts.FindAsync(hostId, cancellationToken) ?? throw HostErrors.NotFound(hostId);
            change(host);
            await unitOfWork.SaveChangesAsync(cancellationToken);
            return host.ToSummary();
        });
}
