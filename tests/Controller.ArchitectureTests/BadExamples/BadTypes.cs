using FluentValidation;

// Deliberately bad types: each architecture rule must find the one made to break it (and these are never used).
namespace Controller.ArchitectureTests.BadExamples.Api;

/// <summary>An API type that reaches into Infrastructure outside the composition root.</summary>
public sealed class UsesInfrastructure
{
    public static Type Store => typeof(Controller.Infrastructure.Persistence.ControllerDbContext);
}

/// <summary>A domain type that reads the clock instead of being given 'now'.</summary>
public sealed class ReadsTheClock
{
    public static bool Expired(DateTimeOffset at) => at < DateTimeOffset.UtcNow;
}

/// <summary>A validator that reads the clock in a rule.</summary>
public sealed class ClockReadingValidator : AbstractValidator<DateTime>
{
    public ClockReadingValidator() => RuleFor(d => d).Must(d => d > DateTime.UtcNow);
}

/// <summary>A domain type that lets anyone move its version.</summary>
public sealed class PublicVersionHook
{
    public long Version { get; private set; }

    public void BumpVersion() => Version++;
}

/// <summary>A handler that tells the placement view by hand what it changed (the unit of work does, after commit).</summary>
public sealed class InvalidatesByHand(Controller.Application.Common.Interfaces.IClusterChanges view)
{
    public void Saved(Controller.Domain.Hosts.Host host) => view.Committed(new([host], [], []));
}

/// <summary>A service with seven collaborators: one too many to read.</summary>
public sealed class TooManyCollaborators(IServiceProvider a, IServiceProvider b, IServiceProvider c, IServiceProvider d, IServiceProvider e, IServiceProvider f, IServiceProvider g)
{
    public IReadOnlyList<IServiceProvider> All => [a, b, c, d, e, f, g];
}
