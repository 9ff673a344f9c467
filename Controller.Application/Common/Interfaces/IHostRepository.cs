using Controller.Domain.Hosts;

namespace Controller.Application.Common.Interfaces;

public interface IHostRepository
{
    Task<Host?> FindAsync(Guid hostId, CancellationToken cancellationToken);

    /// <summary>These hosts (those that exist), tracked: one read for a batch of status rounds.</summary>
    Task<List<Host>> ListAsync(IReadOnlyCollection<Guid> hostIds, CancellationToken cancellationToken);

    Task<Host?> FindLiveByMachineIdAsync(string machineId, CancellationToken cancellationToken);

    /// <summary>Only the host's state, read without tracking (the row and its report stay in the database).</summary>
    Task<HostState?> StateOfAsync(Guid hostId, CancellationToken cancellationToken);

    void Add(Host host);

    /// <summary>
    /// Keeps the report and the answer of a round of this tracked host, stored with the round's save only when they
    /// differ from what is stored (they live outside the host row).
    /// </summary>
    void RecordStatus(Host host, string report, string answer);

    /// <summary>The last report and answer stored for the host (null before its first round).</summary>
    Task<StoredHostStatus?> LastStatusAsync(Guid hostId, CancellationToken cancellationToken);

    /// <summary>Records that the hosts reported their status at <paramref name="at"/>: last seen and last status (one statement, never moves a time back).</summary>
    Task TouchManyAsync(IReadOnlyCollection<Guid> hostIds, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>A page of hosts, newest registration first, read without tracking.</summary>
    Task<(IReadOnlyList<Host> Items, int Total)> ListAsync(HostState? state, int skip, int take, CancellationToken cancellationToken);
}

/// <summary>The last status report a host sent and the answer it got, as stored (JSON).</summary>
public sealed record StoredHostStatus(string? Report, string? Answer);
