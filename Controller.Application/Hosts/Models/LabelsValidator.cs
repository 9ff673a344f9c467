using Controller.Domain.Common;
using FluentValidation;

namespace Controller.Application.Hosts.Models;

/// <summary>Labels are a small map of short keys to short values.</summary>
public sealed class LabelsValidator : AbstractValidator<IReadOnlyDictionary<string, string>>
{
    public LabelsValidator()
    {
        RuleFor(l => l.Count).LessThanOrEqualTo(Limits.MaxLabels).OverridePropertyName("labels");
        RuleForEach(l => l).Must(kv => !string.IsNullOrWhiteSpace(kv.Key) && kv.Key.Length <= Limits.LabelKeyMaxLength)
            .WithMessage($"Label keys must be 1 to {Limits.LabelKeyMaxLength} characters.")
            .Must(kv => kv.Value is not null && kv.Value.Length <= Limits.LabelValueMaxLength)
            .WithMessage($"Label values must be at most {Limits.LabelValueMaxLength} characters.")
            .OverridePropertyName("labels");
    }
}
