using System.Reflection;

namespace Controller.ArchitectureTests;

/// <summary>Dependencies point inwards: Domain ← Application ← Infrastructure ← Api.</summary>
public sealed class LayerDependencyTests
{
    private static readonly Assembly Domain = typeof(Controller.Domain.Hosts.Host).Assembly;
    private static readonly Assembly Application = typeof(Controller.Application.DependencyInjection).Assembly;
    private static readonly Assembly Infrastructure = typeof(Controller.Infrastructure.DependencyInjection).Assembly;

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
    public void Infrastructure_DoesNotReferenceApi()
    {
        Assert.That(References(Infrastructure), Has.None.EqualTo("Controller.Api"));
    }

    [Test]
    public void Domain_TypesDoNotUseTheClock()
    {
        // The domain takes 'now' as an argument; a property or field of type TimeProvider would be a hidden clock.
        var clockUsers = Domain.GetTypes()
            .Where(t => t.GetFields(BindingFlags.Instance | BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
                .Any(f => f.FieldType == typeof(TimeProvider)))
            .Select(t => t.FullName)
            .ToList();

        Assert.That(clockUsers, Is.Empty);
    }

    [Test]
    public void Controllers_DependOnlyOnTheSender()
    {
        var controllers = typeof(Program).Assembly.GetTypes()
            .Where(t => t.IsClass && !t.IsAbstract && t.Name.EndsWith("Controller", StringComparison.Ordinal) && t.Namespace == "Controller.Api.Controllers");

        foreach (var controller in controllers)
        {
            var parameters = controller.GetConstructors().Single().GetParameters().Select(p => p.ParameterType).ToList();
            Assert.That(parameters, Is.EqualTo(new[] { typeof(Mediator.ISender) }), controller.Name);
        }
    }
}
