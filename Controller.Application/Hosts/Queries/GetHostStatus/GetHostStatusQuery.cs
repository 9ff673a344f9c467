using Controller.Application.Common.Security;
using Controller.Application.Hosts.Models;
using Mediator;

namespace Controller.Application.Hosts.Queries.GetHostStatus;

public sealed record GetHostStatusQuery(Guid HostId) : IQuery<HostStatusDto>, IHostScoped;
