using Controller.Domain.Common;
using FluentValidation;

namespace Controller.Application.Common.Models;

/// <summary>Resources as a client sends them: CPU and memory are required, GPUs and disk default to 0.</summary>
public sealed record ResourcesModel(int? CpuMillicores, int? MemoryMiB, int? GpuCount = 0, int? DiskMiB = 0)
{
    public static ResourcesModel From(Resources r) => new(r.CpuMillicores, r.MemoryMiB, r.GpuCount, r.DiskMiB);

    public Resources ToResources() => new(CpuMillicores ?? 0, MemoryMiB ?? 0, GpuCount ?? 0, DiskMiB ?? 0);
}

/// <summary>Resources as the controller answers them.</summary>
public sealed record ResourcesDto(int CpuMillicores, int MemoryMiB, int GpuCount, int DiskMiB)
{
    public static ResourcesDto From(Resources r) => new(r.CpuMillicores, r.MemoryMiB, r.GpuCount, r.DiskMiB);
}

public sealed class ResourcesModelValidator : AbstractValidator<ResourcesModel>
{
    public ResourcesModelValidator()
    {
        RuleFor(r => r.CpuMillicores).NotNull().InclusiveBetween(0, Limits.MaxCpuMillicores);
        RuleFor(r => r.MemoryMiB).NotNull().InclusiveBetween(0, Limits.MaxMemoryMiB);
        RuleFor(r => r.GpuCount).InclusiveBetween(0, Limits.MaxGpus);
        RuleFor(r => r.DiskMiB).GreaterThanOrEqualTo(0);
    }
}
