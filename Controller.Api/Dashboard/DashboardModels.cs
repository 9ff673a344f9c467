using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Models;
using Controller.Application.Common.Telemetry;
using Controller.Application.Dashboard.Queries.GetOverview;
using Controller.Application.Engines.Models;
using Controller.Application.Events.Models;
using Controller.Application.Hosts.Models;
using Controller.Application.Work.Models;
using Controller.Application.EngineInstances.Models;

namespace Controller.Api.Dashboard;

public sealed record SignInModel(string? Error, string? ReturnUrl);

public sealed record SummaryModel(ClusterOverview Overview);

public sealed record HostsModel(PagedResult<HostUsageDto> Hosts, string? State);

public sealed record HostModel(HostDetailDto Host, IReadOnlyDictionary<Guid, string> EngineNames, IReadOnlyList<EventDto> Events);

public sealed record EnginesModel(ClusterOverview Overview);

public sealed record EngineModel(EngineDto Engine, PagedResult<EngineInstanceDto> Instances, IReadOnlyList<EventDto> Events, IReadOnlyList<EngineSample> History, DateTimeOffset Now);

public sealed record InstancesModel(PagedResult<EngineInstanceDto> Instances, IReadOnlyDictionary<Guid, string> EngineNames, string? State, Guid? EngineId, Guid? HostId);

/// <summary>The tasks page: a page of tasks (newest first), its filter, the next page's cursor, and engine names.</summary>
public sealed record TasksModel(TaskPage Tasks, IReadOnlyDictionary<Guid, string> EngineNames, string? State, Guid? EngineId, string? Cursor);

/// <summary>One task: everything about it, with its engine's name.</summary>
public sealed record TaskModel(TaskDto Task, string? EngineName);

/// <summary>The events page: the events, the filter, and the hosts and engines to pick the filter from (by name).</summary>
public sealed record EventsModel(IReadOnlyList<EventDto> Events, string? Type, Guid? HostId, Guid? EngineId, Guid? InstanceId,
    IReadOnlyDictionary<Guid, string> Hosts, IReadOnlyDictionary<Guid, string> Engines);

/// <summary>A used/total bar: what is allocated of a capacity.</summary>
public sealed record BarModel(string Label, long Used, long Total, string Unit);

/// <summary>Desired and active copies of one engine over the last hour.</summary>
public sealed record ChartModel(Guid EngineId, IReadOnlyList<EngineSample> History, DateTimeOffset Now);
