using Controller.Domain.Common;
using FluentValidation;

namespace Controller.Application.Hosts.Models;

/// <summary>One GPU of a host as the agent registers it.</summary>
public sealed record GpuModel(int? Index, string? Model, int? MemoryMiB);

public sealed class GpuModelValidator : AbstractValidator<GpuModel>
{
    public const int MaxIndex = 1023;

    public GpuModelValidator()
    {
        RuleFor(g => g.Index).NotNull().InclusiveBetween(0, MaxIndex);
        RuleFor(g => g.Model).MaximumLength(Limits.GpuModelMaxLength);
        RuleFor(g => g.MemoryMiB).GreaterThanOrEqualTo(0);
    }
}
