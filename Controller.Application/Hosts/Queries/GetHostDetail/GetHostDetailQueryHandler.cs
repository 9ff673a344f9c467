using Controller.Application.Common.Interfaces;
using Controller.Application.Hosts.Models;
using Controller.Domain.Common;
using Mediator;

namespace Controller.Application.Hosts.Queries.GetHostDetail;

public sealed class GetHostDetailQueryHandler(IHostRepository hosts) : IQueryHandler<GetHostDetailQuery, HostDetailDto>
{
    public async ValueTask<HostDetailDto> Handle(GetHostDetailQuery query, CancellationToken cancellationToken)
    {
        var host = await hosts.FindAsync(query.HostId, cancellationToken) ?? throw HostErrors.NotFound(query.HostId);
        return host.ToDetail(Resources.Zero, []);
    }
}
