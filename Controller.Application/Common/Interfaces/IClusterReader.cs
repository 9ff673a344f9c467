using Controller.Application.Common.Models;
using Controller.Application.Common.Telemetry;
using Controller.Domain.Common;
using Controller.Domain.Hosts;

namespace Controller.Application.Common.Interfaces;

/// <summary>One host's size and use, for the operator's view.</summary>
public sealed record HostUsageDto(Guid HostId, string Hostname, HostState State, DateTimeOffset LastSeenAt, ResourcesDto Capacity, ResourcesDto Allocated);

/// <summary>Read-only, grouped reads of the cluster for the gauges and the operator's view (never used by the hot paths).</summary>
public interface IClusterReader
{
    /// <summary>Hosts by state, instances by engine and state, each engine's counts and back-off, tasks by engine and state.</summary>
    Task<ClusterSizes> SizesAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Capacity and allocation summed over the hosts that take or hold work (active, draining, drained).</summary>
    Task<(Resources Capacity, Resources Allocated)> CapacityAsync(CancellationToken cancellationToken);

    /// <summary>Hosts by hostname, with their capacity and what is allocated on them.</summary>
    Task<PagedResult<HostUsageDto>> HostsAsync(HostState? state, bool liveOnly, int page, int pageSize, CancellationToken cancellationToken);

    /// <summary>The hostnames and engine names of these ids (those still stored).</summary>
    Task<Common.Models.Names> NamesAsync(IReadOnlyCollection<Guid> hostIds, IReadOnlyCollection<Guid> engineIds, CancellationToken cancellationToken);
}
