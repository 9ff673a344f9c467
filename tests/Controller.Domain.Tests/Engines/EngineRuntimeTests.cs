using Controller.Domain.Common;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;

namespace Controller.Domain.Tests.Engines;

public sealed class EngineRuntimeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static EngineSpec Spec(EngineRuntime? runtime) =>
        new("ocr", "registry/ocr:1", new Resources(1000, 1024, 0, 0), 5, 0, 10, 2, new Dictionary<string, string>(), Runtime: runtime);

    [Test]
    public void Create_NothingGiven_NoCommandNoEnvironmentThirtySeconds()
    {
        var runtime = EngineRuntime.Create(null, null, null);

        Assert.That(runtime.Command, Is.Null);
        Assert.That(runtime.Environment, Is.Empty);
        Assert.That(runtime.StopGraceSeconds, Is.EqualTo(30));
    }

    [TestCase(new string[0], "command")]
    [TestCase(new[] { " " }, "command")]
    [TestCase(new[] { "run", "a\0b" }, "command[1]")]
    public void Create_BadCommand_NamesTheField(string[] command, string field)
    {
        var ex = Assert.Throws<DomainException>(() => EngineRuntime.Create(command, null, null));

        Assert.That(ex!.Detail["field"], Is.EqualTo(field));
    }

    [TestCase("1ABC")]
    [TestCase("A-B")]
    [TestCase("")]
    public void Create_BadVariableName_NamesIt(string name)
    {
        var ex = Assert.Throws<DomainException>(() => EngineRuntime.Create(null, new Dictionary<string, string> { [name] = "x" }, null));

        Assert.That(ex!.Detail["field"], Is.EqualTo("environment"));
        Assert.That(ex.Message, Does.Contain($"'{name}'"));
    }

    [TestCase(-1)]
    [TestCase(3601)]
    public void Create_StopGraceOutOfRange_Throws(int seconds) =>
        Assert.Throws<DomainException>(() => EngineRuntime.Create(null, null, seconds));

    [Test]
    public void Create_CommandAndEnvironmentTooLargeTogether_Throws()
    {
        var environment = Enumerable.Range(0, 10).ToDictionary(i => $"V{i}", _ => new string('x', 4000));

        Assert.Throws<DomainException>(() => EngineRuntime.Create(["run"], environment, null));
    }

    [Test]
    public void LaunchEnvironment_ControllerVariablesWinOverTheEngines()
    {
        var runtime = EngineRuntime.Create(null, new Dictionary<string, string> { ["ENGINE_ID"] = "mine", ["LANG"] = "C" }, null);

        var merged = runtime.LaunchEnvironment(new Dictionary<string, string> { ["ENGINE_ID"] = "controller's" });

        Assert.That(merged, Is.EquivalentTo(new Dictionary<string, string> { ["ENGINE_ID"] = "controller's", ["LANG"] = "C" }));
    }

    [Test]
    public void Launch_CopyKeepsTheRuntimeItWasLaunchedWith_WhenTheEngineChanges()
    {
        var engine = Engine.Create(Guid.NewGuid(), Spec(EngineRuntime.Create(["engine", "--fast"], new Dictionary<string, string> { ["MODE"] = "a" }, 5)), T0);
        var instance = EngineInstance.Launch(Guid.NewGuid(), engine, Guid.NewGuid(), [], Guid.NewGuid(), T0);

        engine.Update(Spec(EngineRuntime.Create(["engine", "--slow"], null, 60)), T0.AddMinutes(1));

        Assert.That(instance.Runtime.Command, Is.EqualTo(new[] { "engine", "--fast" }));
        Assert.That(instance.Runtime.Environment["MODE"], Is.EqualTo("a"));
        Assert.That(instance.StopGraceSeconds, Is.EqualTo(5));
        Assert.That(engine.Runtime, Is.EqualTo(EngineRuntime.Create(["engine", "--slow"], null, 60)));
    }
}
