using Controller.Domain.Common;
using FluentValidation;

namespace Controller.Application.Hosts.Models;

/// <summary>A host's total capacity as the agent registers it.</summary>
public sealed record CapacityModel(int? CpuMillicores, int? MemoryMiB, int? GpuCount, int? DiskMiB, IReadOnlyList<GpuModel>? Gpus)
{
    public Resources ToResources() => new(CpuMillicores ?? 0, MemoryMiB ?? 0, GpuCount ?? 0, DiskMiB ?? 0);
}

public sealed class CapacityModelValidator : AbstractValidator<CapacityModel>
{
    public CapacityModelValidator()
    {
        RuleFor(c => c.CpuMillicores).NotNull().InclusiveBetween(0, Limits.MaxCpuMillicores);
        RuleFor(c => c.MemoryMiB).NotNull().InclusiveBetween(0, Limits.MaxMemoryMiB);
        RuleFor(c => c.GpuCount).InclusiveBetween(0, Limits.MaxGpus);
        RuleFor(c => c.DiskMiB).GreaterThanOrEqualTo(0);
        RuleFor(c => c.Gpus!.Count).LessThanOrEqualTo(Limits.MaxGpus).OverridePropertyName("gpus").When(c => c.Gpus is not null);
        RuleFor(c => c.Gpus!.Count).Equal(c => c.GpuCount ?? 0).OverridePropertyName("gpus")
            .WithMessage("'gpus' must list exactly 'gpuCount' GPUs.")
            .When(c => c.Gpus is { Count: > 0 });
        RuleFor(c => c.Gpus).Must(g => g!.Select(x => x.Index).Distinct().Count() == g!.Count)
            .WithMessage("GPU indexes must be unique.")
            .When(c => c.Gpus is { Count: > 0 } && c.Gpus.All(g => g is not null));
        RuleForEach(c => c.Gpus).NotNull().WithMessage("A GPU entry must be an object, not null.").SetValidator(new GpuModelValidator());
    }
}
