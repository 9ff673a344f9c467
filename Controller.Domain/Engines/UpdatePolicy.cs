using System.Globalization;
using Controller.Domain.Common;

namespace Controller.Domain.Engines;

/// <summary>A number of copies given as a count ("2") or as a percentage of the desired count ("25%").</summary>
public readonly record struct CopyAmount(int Value, bool Percent)
{
    public const int MaxCount = Limits.MaxInstancesPerEngine;

    /// <summary>The amount as written ("2", "25%"), or null when it is neither a count nor a percentage up to 100 %.</summary>
    public static CopyAmount? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var percent = text.EndsWith('%');
        var digits = percent ? text[..^1] : text;
        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > (percent ? 100 : MaxCount))
        {
            return null;
        }

        return new CopyAmount(value, percent);
    }

    /// <summary>The count for <paramref name="desired"/> copies: a percentage rounded up (surge) or down (unavailability).</summary>
    public int Of(int desired, bool roundUp) =>
        !Percent ? Value : (int)(roundUp ? Math.Ceiling(desired * Value / 100.0) : Math.Floor(desired * Value / 100.0));

    public override string ToString() => Percent ? $"{Value.ToString(CultureInfo.InvariantCulture)}%" : Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// How copies of an older revision are replaced (Kubernetes' rolling update, Nomad's <c>update</c> block): at most
/// <see cref="MaxSurge"/> copies above the desired count, at most <see cref="MaxUnavailable"/> below it counted healthy;
/// a new copy is healthy once it has run <see cref="HealthyAfterSeconds"/>; a rollout that makes no progress for
/// <see cref="ProgressDeadlineSeconds"/> pauses, and with <see cref="AutoRevert"/> goes back to the last healthy revision.
/// </summary>
public sealed record UpdatePolicy(CopyAmount MaxSurge, CopyAmount MaxUnavailable, int HealthyAfterSeconds, int ProgressDeadlineSeconds, bool AutoRevert)
{
    public const int MaxHealthyAfterSeconds = 3_600;
    public const int MinProgressDeadlineSeconds = 10;
    public const int MaxProgressDeadlineSeconds = 86_400;

    /// <summary>Copies of the new revision that fail before they run healthy, in a rollout, before it is a crash loop.</summary>
    public const int CrashLoopFailures = 3;

    /// <summary>25 % above the desired count, none below: the desired count keeps running while there is room; 10 s to be healthy, 10 min to progress.</summary>
    public static readonly UpdatePolicy Default = new(new CopyAmount(25, true), new CopyAmount(0, false), 10, 600, false);

    /// <summary>Copies allowed above the desired count: at least one when no copy may be unavailable, so that a rollout always moves.</summary>
    public int SurgeFor(int desired)
    {
        var surge = MaxSurge.Of(desired, roundUp: true);
        return surge == 0 && UnavailableFor(desired) == 0 ? 1 : surge;
    }

    /// <summary>Copies allowed below the desired count among those counted healthy.</summary>
    public int UnavailableFor(int desired) => Math.Min(desired, MaxUnavailable.Of(desired, roundUp: false));

    /// <summary>The first rule this policy breaks (field and message), or null when it is valid.</summary>
    public static (string Field, string Message)? FirstViolation(string? maxSurge, string? maxUnavailable, int healthyAfterSeconds, int progressDeadlineSeconds)
    {
        if (maxSurge is not null && CopyAmount.Parse(maxSurge) is null)
        {
            return ("update.maxSurge", $"'update.maxSurge' must be a count (\"1\", up to {CopyAmount.MaxCount}) or a percentage of the desired count (\"25%\", up to 100%).");
        }

        if (maxUnavailable is not null && CopyAmount.Parse(maxUnavailable) is null)
        {
            return ("update.maxUnavailable", $"'update.maxUnavailable' must be a count (\"0\", up to {CopyAmount.MaxCount}) or a percentage of the desired count (\"25%\", up to 100%).");
        }

        if (healthyAfterSeconds is < 0 or > MaxHealthyAfterSeconds)
        {
            return ("update.healthyAfterSeconds", $"'update.healthyAfterSeconds' must be between 0 and {MaxHealthyAfterSeconds}.");
        }

        if (progressDeadlineSeconds is < MinProgressDeadlineSeconds or > MaxProgressDeadlineSeconds)
        {
            return ("update.progressDeadlineSeconds", $"'update.progressDeadlineSeconds' must be between {MinProgressDeadlineSeconds} and {MaxProgressDeadlineSeconds}.");
        }

        return null;
    }

    /// <summary>A valid policy from its written form (defaults for what is left out), or a domain error naming the field.</summary>
    public static UpdatePolicy Create(string? maxSurge, string? maxUnavailable, int? healthyAfterSeconds, int? progressDeadlineSeconds, bool? autoRevert)
    {
        var healthy = healthyAfterSeconds ?? Default.HealthyAfterSeconds;
        var deadline = progressDeadlineSeconds ?? Default.ProgressDeadlineSeconds;
        if (FirstViolation(maxSurge, maxUnavailable, healthy, deadline) is { } violation)
        {
            throw new DomainException("invalid_value", violation.Message, new Dictionary<string, object?> { ["field"] = violation.Field });
        }

        return new UpdatePolicy(
            maxSurge is null ? Default.MaxSurge : CopyAmount.Parse(maxSurge)!.Value,
            maxUnavailable is null ? Default.MaxUnavailable : CopyAmount.Parse(maxUnavailable)!.Value,
            healthy, deadline, autoRevert ?? Default.AutoRevert);
    }
}
