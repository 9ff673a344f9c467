using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Models;
using Controller.Application.Hosts.Models;
using Controller.Domain.Common;
using Mediator;

namespace Controller.Application.Hosts.Queries.GetHostDetail;

public sealed class GetHostDetailQueryHandler(IHostRepository hosts, IEngineInstanceRepository instances) : IQueryHandler<GetHostDetailQuery, HostDetailDto>
{
    public async ValueTask<HostDetailDto> Handle(GetHostDetailQuery query, CancellationToken cancellationToken)
    {
        var host = await hosts.FindAsync(query.HostId, cancellationToken) ?? throw HostErrors.NotFound(query.HostId);
        var holding = await instances.ListHoldingForHostAsync(host.Id, cancellationToken);
        var dtos = holding
            .Select(i => new HostInstanceDto(i.Id, i.EngineId, i.State.ToString().ToLowerInvariant(), i.Displaced, i.ContainerId, ResourcesDto.From(i.Resources), i.GpuIndexes))
            .ToList();
        return host.ToDetail(holding.Select(i => i.Resources).Sum(), dtos);
    }
}
