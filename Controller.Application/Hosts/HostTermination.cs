using Controller.Application.Common.Security;
using Controller.Domain.Hosts;

namespace Controller.Application.Hosts;

/// <summary>The last step of a host's termination, whether its agent finished it or the sweep did.</summary>
public static class HostTermination
{
    /// <summary>
    /// The host has nothing left: it becomes terminated (its machine id may register again), and its tokens stop
    /// working after <paramref name="grace"/>. Until then a repeated report gets <c>mode: terminate</c> again, so a
    /// lost answer never leaves an agent that re-registers the same machine as a second host.
    /// </summary>
    public static async Task CompleteAsync(Host host, TokenRevoker tokens, DateTimeOffset now, TimeSpan grace, CancellationToken cancellationToken)
    {
        host.CompleteTermination(now);
        await tokens.ExpireForHostAsync(host.Id, now + grace, cancellationToken);
    }
}
