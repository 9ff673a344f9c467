using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Models;
using Controller.Application.Hosts.Models;
using Mediator;

namespace Controller.Application.Hosts.Queries.GetHostStatus;

public sealed class GetHostStatusQueryHandler(IHostRepository hosts) : IQueryHandler<GetHostStatusQuery, HostStatusDto>
{
    public async ValueTask<HostStatusDto> Handle(GetHostStatusQuery query, CancellationToken cancellationToken)
    {
        var host = await hosts.FindAsync(query.HostId, cancellationToken) ?? throw HostErrors.NotFound(query.HostId);
        var last = await hosts.LastStatusAsync(query.HostId, cancellationToken);
        return new HostStatusDto(host.Id, host.State, host.LastStatusAt, JsonText.Parse(last?.Report), JsonText.Parse(last?.Answer));
    }
}
