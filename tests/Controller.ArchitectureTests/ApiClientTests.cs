using System.Reflection;

namespace Controller.ArchitectureTests;

/// <summary>
/// The clients of the API (the agent, the engine kit, the sample engine) speak to the controller only through the
/// generated client: none of them references the controller's own layers. The rule is also run on this test
/// assembly, which references them, and must find it.
/// </summary>
public sealed class ApiClientTests
{
    private static readonly string[] ControllerLayers = ["Controller.Domain", "Controller.Application", "Controller.Infrastructure", "Controller.Api"];

    private static List<string> LayersReferencedBy(Assembly assembly) =>
        [.. assembly.GetReferencedAssemblies().Select(a => a.Name!).Where(ControllerLayers.Contains)];

    [TestCase("controller-agent")]
    [TestCase("Controller.EngineKit")]
    [TestCase("wordcount")]
    public void Client_ReferencesTheGeneratedClientAndNoLayerOfTheController(string assemblyName)
    {
        var assembly = Assembly.Load(assemblyName);

        Assert.That(LayersReferencedBy(assembly), Is.Empty);
        Assert.That(assembly.GetReferencedAssemblies().Select(a => a.Name), Does.Contain("Controller.Client").Or.Contain("Controller.EngineKit"));
    }

    [Test]
    public void Rule_FindsAnAssemblyThatReferencesTheControllersLayers() =>
        Assert.That(LayersReferencedBy(typeof(ApiClientTests).Assembly), Is.Not.Empty);
}
