using Controller.Application.Common.Security;
using Controller.Application.Hosts.Models;
using Mediator;

namespace Controller.Application.Hosts.Queries.GetHostDetail;

public sealed record GetHostDetailQuery(Guid HostId) : IQuery<HostDetailDto>, IHostScoped;
