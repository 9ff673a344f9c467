using Controller.Domain.Common;
using FluentValidation;

namespace Controller.Application.Hosts.Models;

/// <summary>One container the agent reports. Containers without an engine instance id are not managed and are ignored.</summary>
public sealed record ContainerReportModel(
    string? ContainerId,
    Guid? EngineInstanceId,
    ContainerState? State,
    int? ExitCode,
    double? CpuPercent,
    int? MemoryMiB);

public sealed class ContainerReportModelValidator : AbstractValidator<ContainerReportModel>
{
    public ContainerReportModelValidator()
    {
        RuleFor(c => c.ContainerId).NotEmpty().MaximumLength(Limits.ContainerIdMaxLength);
        RuleFor(c => c.State).NotNull();
        RuleFor(c => c.CpuPercent).InclusiveBetween(0, 100_000);
        RuleFor(c => c.MemoryMiB).GreaterThanOrEqualTo(0);
    }
}
