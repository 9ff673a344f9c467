using Controller.Application.Common.Models;
using Controller.Application.Hosts.Models;

namespace Controller.Api.Contracts;

/// <summary>Body of POST /host/{hostId}/updatestatus. Lenient: fields this version does not know are ignored (agents may be newer).</summary>
[OpenApi.ValidatedAs(typeof(Application.Hosts.Commands.UpdateHostStatus.UpdateHostStatusCommand))]
public sealed record UpdateStatusRequest(ResourcesModel? Available, IReadOnlyList<ContainerReportModel>? Containers);

/// <summary>Optional body of POST /host/{hostId}/drain.</summary>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed record DrainRequest(int? DeadlineSeconds);
