using Controller.Application.Common.Models;
using Controller.Application.Common.Security;
using Controller.Application.Hosts.Models;
using Mediator;

namespace Controller.Application.Hosts.Commands.UpdateHostStatus;

/// <summary>The agent's periodic report: free resources and the state of every managed container.</summary>
public sealed record UpdateHostStatusCommand(Guid HostId, ResourcesModel? Available, IReadOnlyList<ContainerReportModel>? Containers)
    : ICommand<HostStatusAnswer>, IHostScoped;
