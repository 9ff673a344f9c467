using Controller.Application.Audit;
using Controller.Application.Common.Models;
using Controller.Application.Engines.Models;
using Controller.Application.Hosts.Commands.RegisterHost;
using Controller.Application.Hosts.Commands.RotateHostToken;
using Controller.Application.Hosts.Models;
using Controller.Application.Tokens.Commands.CreateToken;
using Controller.Application.Tokens.Models;
using Controller.Application.Work.Commands.GetWork;
using Controller.Application.Work.Models;
using Riok.Mapperly.Abstractions;
using Controller.Application.EngineInstances.Models;

namespace Controller.Api.Contracts;

/// <summary>
/// Between the wire (this folder's types, which the OpenAPI document describes) and the application's commands and
/// DTOs, generated at compile time: a member left unmapped on either side is a build error, so the two cannot drift.
/// </summary>
[Mapper(RequiredMappingStrategy = RequiredMappingStrategy.Both, EnumMappingStrategy = EnumMappingStrategy.ByName)]
public static partial class ContractMapper
{
    public static partial RegisterHostCommand ToCommand(this RegisterHostRequest request);

    public static partial CreateTokenCommand ToCommand(this CreateTokenRequest request);

    public static partial EngineDefinition ToDefinition(this EngineRequest request);

    public static partial ResourcesModel? ToModel(this ResourcesRequest? request);

    /// <summary>A null element stays null, so that the validator answers 400 naming it (e.g. <c>containers[0]</c>).</summary>
    public static IReadOnlyList<ContainerReportModel>? ToModels(this IReadOnlyList<ContainerReport>? containers) =>
        containers?.Select(c => c is null ? null! : c.ToModel()).ToList();

    /// <summary>A null element stays null, so that the validator answers 400 naming it (e.g. <c>capacity.gpus[0]</c>).</summary>
    public static IReadOnlyList<GpuModel>? ToModels(this IReadOnlyList<GpuRequest>? gpus) =>
        gpus?.Select(g => g is null ? null! : g.ToModel()).ToList();

    public static partial ContainerReportModel ToModel(this ContainerReport report);

    public static partial GpuModel ToModel(this GpuRequest gpu);

    public static partial Domain.Hosts.HostState? ToDomain(this HostState? state);

    public static partial Domain.EngineInstances.EngineInstanceState? ToDomain(this EngineInstanceState? state);

    public static partial Domain.Tokens.TokenKind? ToDomain(this TokenKind? kind);

    public static partial RegisterHostResponse ToResponse(this RegisterHostResult result);

    public static partial HostStatusResponse ToResponse(this HostStatusAnswer answer);

    public static partial HostSummaryResponse ToResponse(this HostSummaryDto host);

    public static partial HostDetailResponse ToResponse(this HostDetailDto host);

    public static partial HostStatusReportResponse ToResponse(this HostStatusDto status);

    public static partial RotatedHostTokenResponse ToResponse(this RotatedHostToken token);

    public static partial EngineResponse ToResponse(this EngineDto engine);

    public static partial EngineRevisionResponse ToResponse(this EngineRevisionDto revision);

    public static partial EngineInstanceResponse ToResponse(this EngineInstanceDto instance);

    public static partial HeartbeatResponse ToResponse(this HeartbeatAnswer answer);

    public static partial TokenResponse ToResponse(this TokenDto token);

    public static partial IssuedTokenResponse ToResponse(this IssuedTokenDto token);

    public static partial AuditEntryResponse ToResponse(this AuditEntryDto entry);

    public static partial PageResponse<HostSummaryResponse> ToResponse(this PagedResult<HostSummaryDto> page);

    public static partial PageResponse<EngineResponse> ToResponse(this PagedResult<EngineDto> page);

    public static partial PageResponse<EngineInstanceResponse> ToResponse(this PagedResult<EngineInstanceDto> page);

    public static partial PageResponse<TokenResponse> ToResponse(this PagedResult<TokenDto> page);

    public static partial PageResponse<AuditEntryResponse> ToResponse(this PagedResult<AuditEntryDto> page);

    public static partial TaskSubmission ToSubmission(this SubmitTaskRequest request);

    /// <summary>A null element stays null, so that the validator answers 400 naming it (e.g. <c>tasks[0]</c>).</summary>
    public static IReadOnlyList<TaskSubmission>? ToSubmissions(this IReadOnlyList<SubmitTaskRequest?>? tasks) =>
        tasks?.Select(t => t is null ? null! : t.ToSubmission()).ToList();

    /// <summary>A null element stays null, so that the validator answers 400 naming it (e.g. <c>completed[0]</c>).</summary>
    public static IReadOnlyList<CompletedTask>? ToModels(this IReadOnlyList<CompletedTaskRequest?>? completed) =>
        completed?.Select(c => c is null ? null! : c.ToModel()).ToList();

    public static partial CompletedTask ToModel(this CompletedTaskRequest request);

    public static partial Domain.Work.WorkTaskState? ToDomain(this TaskState? state);

    public static partial TaskResponse ToResponse(this TaskDto task);

    public static partial TaskPageResponse ToResponse(this TaskPage page);

    [MapperIgnoreSource(nameof(GetWorkAnswer.EngineId))]
    [MapperIgnoreSource(nameof(GetWorkAnswer.HostId))]
    public static partial GetWorkResponse ToResponse(this GetWorkAnswer answer);

    public static partial EventResponse ToResponse(this Application.Events.Models.EventDto dto);

    public static partial EventPageResponse ToResponse(this Application.Events.Models.EventPage page);
}
