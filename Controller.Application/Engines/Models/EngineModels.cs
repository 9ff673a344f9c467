using Controller.Application.Common.Models;
using Controller.Application.Hosts.Models;
using Controller.Domain.Common;
using Controller.Domain.Engines;
using FluentValidation;

namespace Controller.Application.Engines.Models;

/// <summary>An engine definition as an admin gives it (create, replace, or the result of a merge patch).</summary>
public sealed record EngineDefinition(
    string? Name,
    string? Image,
    ResourcesModel? Resources,
    int? Priority,
    int? MinInstances,
    int? MaxInstances,
    int? DesiredInstances,
    IReadOnlyDictionary<string, string>? HostLabels,
    EngineScalingModel? Scaling = null,
    IReadOnlyList<string>? Command = null,
    IReadOnlyDictionary<string, string>? Environment = null,
    int? StopGraceSeconds = null,
    bool? Preemptible = null,
    EngineUpdateModel? Update = null)
{
    /// <summary>The current definition of an engine, as a PUT would send it.</summary>
    public static EngineDefinition Of(Domain.Engines.Engine engine)
    {
        var runtime = engine.Runtime;
        return new(
            engine.Name, engine.Image, ResourcesModel.From(engine.Resources), engine.Priority, engine.MinInstances, engine.MaxInstances,
            engine.DesiredInstances, engine.HostLabels,
            new EngineScalingModel(engine.ScalingMode, engine.TargetTasksPerInstance, engine.ScaleDownAfterSeconds),
            runtime.Command, runtime.Environment, runtime.StopGraceSeconds, engine.Preemptible, EngineUpdateModel.Of(engine.UpdatePolicy));
    }

    public EngineSpec ToSpec() => new(
        Name!, Image!, Resources!.ToResources(), Priority ?? 0, MinInstances ?? 0, MaxInstances ?? DesiredInstances ?? 0,
        DesiredInstances ?? MinInstances ?? 0, HostLabels ?? new Dictionary<string, string>(), Scaling?.ToScaling(),
        EngineRuntime.Create(Command, Environment, StopGraceSeconds), Preemptible ?? true, Update?.ToPolicy());
}

/// <summary>How copies of an older revision are replaced (<see cref="UpdatePolicy"/>); a field left out takes its default.</summary>
public sealed record EngineUpdateModel(string? MaxSurge, string? MaxUnavailable, int? HealthyAfterSeconds, int? ProgressDeadlineSeconds, bool? AutoRevert)
{
    public static EngineUpdateModel Of(UpdatePolicy policy) =>
        new(policy.MaxSurge.ToString(), policy.MaxUnavailable.ToString(), policy.HealthyAfterSeconds, policy.ProgressDeadlineSeconds, policy.AutoRevert);

    public UpdatePolicy ToPolicy() => UpdatePolicy.Create(MaxSurge, MaxUnavailable, HealthyAfterSeconds, ProgressDeadlineSeconds, AutoRevert);
}

/// <summary>How the desired count is set: <c>manual</c> (default) or <c>queue</c> (from the task backlog).</summary>
public sealed record EngineScalingModel(ScalingMode? Mode, int? TargetTasksPerInstance, int? ScaleDownAfterSeconds)
{
    public EngineScaling ToScaling() => new(
        Mode ?? ScalingMode.Manual,
        TargetTasksPerInstance ?? EngineScaling.DefaultTargetTasksPerInstance,
        ScaleDownAfterSeconds ?? EngineScaling.DefaultScaleDownAfterSeconds);
}

public sealed class EngineScalingModelValidator : AbstractValidator<EngineScalingModel>
{
    public EngineScalingModelValidator()
    {
        RuleFor(s => s.Mode).NotNull().IsInEnum();
        RuleFor(s => s.TargetTasksPerInstance).InclusiveBetween(1, Limits.MaxTargetTasksPerInstance);
        RuleFor(s => s.ScaleDownAfterSeconds).InclusiveBetween(0, Limits.MaxScaleDownAfterSeconds);
    }
}

public sealed class EngineDefinitionValidator : AbstractValidator<EngineDefinition>
{
    public EngineDefinitionValidator()
    {
        RuleFor(e => e.Name).NotEmpty().MaximumLength(Limits.NameMaxLength);
        RuleFor(e => e.Image).NotEmpty().MaximumLength(Limits.ImageMaxLength);
        RuleFor(e => e.Resources).NotNull().SetValidator(new ResourcesModelValidator()!);
        RuleFor(e => e.Resources)
            .Must(r => r!.CpuMillicores > 0 || r.MemoryMiB > 0)
            .When(e => e.Resources is { CpuMillicores: not null, MemoryMiB: not null })
            .WithMessage("An engine needs some CPU or memory: 'resources.cpuMillicores' or 'resources.memoryMiB' must be positive.");
        RuleFor(e => e.Priority).InclusiveBetween(-Limits.MaxPriority, Limits.MaxPriority);
        RuleFor(e => e.MinInstances).InclusiveBetween(0, Limits.MaxInstancesPerEngine);
        RuleFor(e => e.MaxInstances).InclusiveBetween(0, Limits.MaxInstancesPerEngine);
        RuleFor(e => e.DesiredInstances).InclusiveBetween(0, Limits.MaxInstancesPerEngine);
        RuleFor(e => e.DesiredInstances).NotNull().When(e => e.Scaling?.Mode != ScalingMode.Queue)
            .WithMessage("'desiredInstances' must not be empty (unless 'scaling.mode' is 'queue': the backlog sets it).");
        RuleFor(e => e.MaxInstances).GreaterThanOrEqualTo(e => e.MinInstances ?? 0)
            .When(e => e.MaxInstances is not null)
            .WithMessage("'maxInstances' must be at least 'minInstances'.");
        RuleFor(e => e.HostLabels).SetValidator(new LabelsValidator()!).When(e => e.HostLabels is not null);
        RuleFor(e => e.Scaling).SetValidator(new EngineScalingModelValidator()!).When(e => e.Scaling is not null);
        RuleFor(e => e)
            .Custom((e, context) =>
            {
                if (EngineRuntime.FirstViolation(e.Command, e.Environment, e.StopGraceSeconds ?? EngineRuntime.DefaultStopGraceSeconds) is { } violation)
                {
                    context.AddFailure(violation.Field, violation.Message);
                }

                if (e.Update is { } update && UpdatePolicy.FirstViolation(update.MaxSurge, update.MaxUnavailable,
                        update.HealthyAfterSeconds ?? UpdatePolicy.Default.HealthyAfterSeconds, update.ProgressDeadlineSeconds ?? UpdatePolicy.Default.ProgressDeadlineSeconds) is { } bad)
                {
                    context.AddFailure(bad.Field, bad.Message);
                }
            });
    }
}

/// <summary>An engine as the controller answers it.</summary>
public sealed record EngineDto(
    Guid EngineId,
    string Name,
    string Image,
    ResourcesDto Resources,
    int Priority,
    int MinInstances,
    int MaxInstances,
    int DesiredInstances,
    IReadOnlyDictionary<string, string> HostLabels,
    EngineState State,
    int ActiveInstances,
    int ConsecutiveFailures,
    DateTimeOffset? BackoffUntil,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    EngineScalingDto Scaling,
    IReadOnlyList<string>? Command,
    IReadOnlyDictionary<string, string> Environment,
    int StopGraceSeconds,
    bool Preemptible,
    int Revision,
    int? StableRevision,
    EngineUpdateDto Update)
{
    /// <summary>The engine's unfinished tasks (only in the answer for one engine).</summary>
    public EngineBacklogDto? Backlog { get; init; }

    /// <summary>The rollout under way (only in the answer for one engine; null when none is).</summary>
    public EngineRolloutDto? Rollout { get; init; }
}

/// <summary>An engine's update policy as the controller answers it.</summary>
public sealed record EngineUpdateDto(string MaxSurge, string MaxUnavailable, int HealthyAfterSeconds, int ProgressDeadlineSeconds, bool AutoRevert);

/// <summary>
/// A rollout under way: copies of <paramref name="TargetRevision"/> <paramref name="Updated"/> (active), of which
/// <paramref name="Healthy"/> ran healthy; <paramref name="Outdated"/> copies of earlier revisions still up;
/// <paramref name="Unavailable"/> below the desired count among healthy copies of any revision.
/// </summary>
public sealed record EngineRolloutDto(
    int TargetRevision,
    int? StableRevision,
    string State,
    string? PausedReason,
    DateTimeOffset StartedAt,
    DateTimeOffset? LastProgressAt,
    DateTimeOffset? DeadlineAt,
    int Desired,
    int Updated,
    int Healthy,
    int Outdated,
    int Unavailable)
{
    public static EngineRolloutDto? Of(Domain.Engines.Engine engine, Domain.Scheduling.RolloutCounts counts)
    {
        if (engine.RolloutStartedAt is not { } started)
        {
            return null;
        }

        return new EngineRolloutDto(engine.Revision, engine.StableRevision, engine.RolloutPausedReason is null ? "progressing" : "paused", engine.RolloutPausedReason,
            started, engine.RolloutProgressAt, engine.RolloutProgressAt + TimeSpan.FromSeconds(engine.UpdatePolicy.ProgressDeadlineSeconds),
            engine.DesiredInstances, engine.CurrentInstances, counts.CurrentHealthy, engine.OutdatedInstances, counts.Unavailable(engine));
    }
}

/// <summary>One revision of an engine: what its copies run; <paramref name="Current"/>: what new copies run now.</summary>
public sealed record EngineRevisionDto(
    int Revision,
    string Image,
    ResourcesDto Resources,
    IReadOnlyList<string>? Command,
    IReadOnlyDictionary<string, string> Environment,
    DateTimeOffset CreatedAt,
    bool Current,
    bool Stable);

public sealed record EngineScalingDto(ScalingMode Mode, int TargetTasksPerInstance, int ScaleDownAfterSeconds);

/// <summary>Queued and leased tasks, and how long the oldest queued one has waited; a capped count says there are more.</summary>
public sealed record EngineBacklogDto(int Queued, int Leased, DateTimeOffset? OldestQueuedAt, double? OldestQueuedAgeSeconds)
{
    public bool QueuedCapped { get; init; }

    public bool LeasedCapped { get; init; }
}
