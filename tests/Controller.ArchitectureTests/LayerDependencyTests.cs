using System.Reflection;
using Controller.ArchitectureTests.BadExamples.Api;

namespace Controller.ArchitectureTests;

/// <summary>
/// Dependencies point inwards (Domain ← Application ← Infrastructure ← Api, the Api reaching Infrastructure only at
/// its composition root); the domain and the validators read no clock; the domain exposes no persistence hook.
/// Every rule is also run on the deliberately bad types in <c>BadExamples</c>, which it must find.
/// </summary>
public sealed class LayerDependencyTests
{
    private const string BadExamples = "Controller.ArchitectureTests.BadExamples";

    private static readonly Assembly Domain = typeof(Controller.Domain.Hosts.Host).Assembly;
    private static readonly Assembly Application = typeof(Controller.Application.DependencyInjection).Assembly;
    private static readonly Assembly Infrastructure = typeof(Controller.Infrastructure.DependencyInjection).Assembly;
    private static readonly Assembly Api = typeof(Program).Assembly;
    private static readonly Assembly Tests = typeof(LayerDependencyTests).Assembly;

    private static IEnumerable<string> References(Assembly assembly) =>
        assembly.GetReferencedAssemblies().Select(a => a.Name!);

    [Test]
    public void Domain_ReferencesNoOtherLayerAndNoFramework()
    {
        var references = References(Domain).ToList();

        Assert.That(references, Has.None.StartsWith("Controller."));
        Assert.That(references, Has.None.StartsWith("Microsoft.EntityFrameworkCore").And.None.StartsWith("Microsoft.AspNetCore"));
    }

    [Test]
    public void Application_ReferencesOnlyDomain()
    {
        var references = References(Application).Where(r => r.StartsWith("Controller.", StringComparison.Ordinal)).ToList();

        Assert.That(references, Is.EquivalentTo(new[] { "Controller.Domain" }));
        Assert.That(References(Application), Has.None.StartsWith("Microsoft.EntityFrameworkCore").And.None.StartsWith("Microsoft.AspNetCore"));
    }

    [Test]
    public void InnerLayers_UseNoOuterLayer()
    {
        Assert.That(ArchitectureRules.UsersOf(Domain, "Controller.Domain", "Controller.Application", "Controller.Infrastructure", "Controller.Api"), Is.Empty);
        Assert.That(ArchitectureRules.UsersOf(Application, "Controller.Application", "Controller.Infrastructure", "Controller.Api"), Is.Empty);
        Assert.That(ArchitectureRules.UsersOf(Infrastructure, "Controller.Infrastructure", "Controller.Api"), Is.Empty);
        Assert.That(ArchitectureRules.UsersOf(Tests, BadExamples, "Controller.Infrastructure"), Does.Contain(typeof(UsesInfrastructure).FullName),
            "the rule finds a type that uses an outer layer");
    }

    [Test]
    public void Api_UsesInfrastructureOnlyAtTheCompositionRoot()
    {
        // Program and Controller.Api.DependencyInjection compose the application; everything below Controller.Api.* may not.
        Assert.That(ArchitectureRules.UsersOfInfrastructure(Api, "Controller.Api."), Is.Empty);
        Assert.That(ArchitectureRules.UsersOfInfrastructure(Tests, BadExamples), Is.EqualTo(new[] { typeof(UsesInfrastructure).FullName }));
    }

    [Test]
    public void DomainAndValidators_ReadNoClock()
    {
        Assert.That(ArchitectureRules.ClockReaders(Domain, _ => true), Is.Empty, "the domain is given 'now'");
        Assert.That(ArchitectureRules.ClockReaders(Application, ArchitectureRules.IsValidator), Is.Empty, "validators read no clock");
        var bad = ArchitectureRules.ClockReaders(Tests, t => t.Namespace?.StartsWith(BadExamples, StringComparison.Ordinal) == true);
        Assert.That(bad, Has.Some.Contains(nameof(ReadsTheClock)).And.Some.Contains(nameof(ClockReadingValidator)), string.Join("\n", bad));
    }

    [Test]
    public void NoHandlerTellsTheViewWhatChanged_TheUnitOfWorkDoesAfterCommit()
    {
        Assert.That(ArchitectureRules.UsersOfTheCommitHook(Application, "Controller.Application"),
            Is.EquivalentTo(new[] { typeof(Controller.Application.Scheduling.ClusterView).FullName, typeof(Controller.Application.DependencyInjection).FullName }));
        Assert.That(ArchitectureRules.UsersOfTheCommitHook(Infrastructure, "Controller.Infrastructure"),
            Is.EquivalentTo(new[] { "Controller.Infrastructure.Persistence.UnitOfWork" }));
        Assert.That(ArchitectureRules.UsersOfTheCommitHook(Tests, BadExamples), Is.EqualTo(new[] { typeof(InvalidatesByHand).FullName }));
    }

    [Test]
    public void Domain_ExposesNoPersistenceHook()
    {
        Assert.That(ArchitectureRules.PublicPersistenceHooks(Domain, "Controller.Domain"), Is.Empty);
        Assert.That(ArchitectureRules.PublicPersistenceHooks(Tests, BadExamples), Is.EqualTo(new[] { typeof(PublicVersionHook).FullName + ".BumpVersion" }));
    }

    [Test]
    public void Controllers_DependOnlyOnTheSender()
    {
        var controllers = Api.GetTypes()
            .Where(t => t.IsClass && !t.IsAbstract && t.Name.EndsWith("Controller", StringComparison.Ordinal) && t.Namespace == "Controller.Api.Controllers");

        foreach (var controller in controllers)
        {
            var parameters = controller.GetConstructors().Single().GetParameters().Select(p => p.ParameterType).ToList();
            // The sender, or nothing at all (the root's index answers links).
            Assert.That(parameters, Is.SubsetOf(new[] { typeof(Mediator.ISender) }), controller.Name);
        }
    }

    /// <summary>At most this many constructor dependencies for a class of the API, the application or the infrastructure.</summary>
    private const int MostDependencies = 6;

    [Test]
    public void NoClass_TakesMoreThanSixDependencies()
    {
        Assert.That(new[] { (Api, "Controller.Api"), (Application, "Controller.Application"), (Infrastructure, "Controller.Infrastructure") }
            .SelectMany(a => ArchitectureRules.WithMoreDependenciesThan(a.Item1, a.Item2, MostDependencies)), Is.Empty);
        Assert.That(ArchitectureRules.WithMoreDependenciesThan(Tests, BadExamples, MostDependencies),
            Is.EqualTo(new[] { $"{typeof(TooManyCollaborators).FullName} (7)" }), "the rule finds the bad example");
    }

    [Test]
    public void NoNamespacesDependOnEachOtherInACycle()
    {
        Assert.That(new[] { (Api, "Controller.Api"), (Application, "Controller.Application"), (Infrastructure, "Controller.Infrastructure") }
            .SelectMany(a => ArchitectureRules.NamespaceCycles(a.Item1, a.Item2)), Is.Empty);
        Assert.That(ArchitectureRules.NamespaceCycles(Tests, "Controller.ArchitectureTests.BadExamples.Cycle"),
            Is.EqualTo(new[] { "Controller.ArchitectureTests.BadExamples.Cycle.Left <-> Controller.ArchitectureTests.BadExamples.Cycle.Right" }),
            "the rule finds the bad example");
    }
}
