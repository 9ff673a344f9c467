using System.Net;
using System.Net.Http.Json;
using System.Text;
using Controller.Api.Tests.Infrastructure;

namespace Controller.Api.Tests.Engines;

/// <summary>An engine's command, environment and stop grace: stored, answered, patched, and carried by launch and terminate orders.</summary>
public sealed class EngineRuntimeTests
{
    private ControllerFactory _factory = null!;
    private HttpClient _admin = null!;

    [SetUp]
    public void SetUp()
    {
        _factory = new ControllerFactory();
        _admin = _factory.Admin();
    }

    [TearDown]
    public void TearDown()
    {
        _admin.Dispose();
        _factory.Dispose();
    }

    private Task<HttpResponseMessage> CreateAsync(object? command = null, object? environment = null, int? stopGraceSeconds = null) =>
        _admin.PostAsJsonAsync("/engine", new
        {
            name = "words",
            image = "samples/wordcount:1",
            resources = new { cpuMillicores = 500, memoryMiB = 256, gpuCount = 0 },
            desiredInstances = 1,
            command,
            environment,
            stopGraceSeconds,
        });

    [Test]
    public async Task Create_WithCommandEnvironmentAndGrace_LaunchOrderCarriesThem_ControllerVariablesWin()
    {
        var created = await CreateAsync(new[] { "/usr/bin/wordcount", "--verbose" }, new Dictionary<string, string> { ["WORDS_MODE"] = "count", ["ENGINE_ID"] = "spoofed" }, 7);
        var engine = await created.ReadJsonAsync();
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), engine.ToJsonString());
        Assert.That(engine["command"]!.AsArray().Select(c => c!.GetValue<string>()), Is.EqualTo(new[] { "/usr/bin/wordcount", "--verbose" }));
        Assert.That(engine["environment"]!["WORDS_MODE"]!.GetValue<string>(), Is.EqualTo("count"));
        Assert.That(engine["stopGraceSeconds"]!.GetValue<int>(), Is.EqualTo(7));
        var engineId = engine["engineId"]!.GetValue<string>();

        using var agent = await Agent.RegisterAsync(_factory);
        var answer = await agent.ReportAsync();
        var launch = answer["launch"]!.AsArray().Single()!;
        Assert.That(launch["command"]!.AsArray().Select(c => c!.GetValue<string>()), Is.EqualTo(new[] { "/usr/bin/wordcount", "--verbose" }));
        Assert.That(launch["stopGraceSeconds"]!.GetValue<int>(), Is.EqualTo(7));
        Assert.That(launch["environment"]!["WORDS_MODE"]!.GetValue<string>(), Is.EqualTo("count"));
        Assert.That(launch["environment"]!["ENGINE_ID"]!.GetValue<string>(), Is.EqualTo(engineId), "the controller's variable wins");

        // Scale to 0: the terminate order carries the grace the copy was launched with, even after the engine changed it.
        var patched = await _admin.PatchAsync($"/engine/{engineId}",
            new StringContent("""{"desiredInstances": 0, "stopGraceSeconds": 60}""", Encoding.UTF8, "application/merge-patch+json"));
        Assert.That(patched.StatusCode, Is.EqualTo(HttpStatusCode.OK), await patched.Content.ReadAsStringAsync());
        answer = await agent.ReportAsync(carryOut: false);
        var terminate = answer["terminate"]!.AsArray().Single()!;
        Assert.That(terminate["stopGraceSeconds"]!.GetValue<int>(), Is.EqualTo(7));
    }

    [Test]
    public async Task Create_WithoutRuntime_DefaultsToTheImagesCommandAndThirtySeconds()
    {
        var engine = await (await CreateAsync()).ReadJsonAsync();

        Assert.That(engine["command"], Is.Null);
        Assert.That(engine["environment"]!.AsObject(), Is.Empty);
        Assert.That(engine["stopGraceSeconds"]!.GetValue<int>(), Is.EqualTo(30));
    }

    [TestCase("""{"command": []}""", "command")]
    [TestCase("""{"environment": {"BAD-NAME": "x"}}""", "BAD-NAME")]
    [TestCase("""{"stopGraceSeconds": 3601}""", "stopGraceSeconds")]
    public async Task Patch_InvalidRuntime_Is400NamingTheField_AndChangesNothing(string patch, string field)
    {
        var engine = await (await CreateAsync(new[] { "run" }, new Dictionary<string, string> { ["A"] = "1" }, 5)).ReadJsonAsync();
        var engineId = engine["engineId"]!.GetValue<string>();

        var response = await _admin.PatchAsync($"/engine/{engineId}", new StringContent(patch, Encoding.UTF8, "application/merge-patch+json"));

        var error = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.That(error["ErrorDetail"]!.ToString(), Does.Contain(field));
        var after = await (await _admin.GetAsync($"/engine/{engineId}")).ReadJsonAsync();
        Assert.That(after["command"]!.AsArray().Single()!.GetValue<string>(), Is.EqualTo("run"));
        Assert.That(after["environment"]!["A"]!.GetValue<string>(), Is.EqualTo("1"));
        Assert.That(after["stopGraceSeconds"]!.GetValue<int>(), Is.EqualTo(5));
    }

    [Test]
    public async Task Patch_EnvironmentMember_MergesAndNullRemoves()
    {
        var engine = await (await CreateAsync(null, new Dictionary<string, string> { ["A"] = "1", ["B"] = "2" })).ReadJsonAsync();
        var engineId = engine["engineId"]!.GetValue<string>();

        var response = await _admin.PatchAsync($"/engine/{engineId}",
            new StringContent("""{"environment": {"B": null, "C": "3"}}""", Encoding.UTF8, "application/merge-patch+json"));

        var after = await response.ReadJsonAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), after.ToJsonString());
        Assert.That(after["environment"]!.AsObject().Select(e => $"{e.Key}={e.Value}"), Is.EquivalentTo(new[] { "A=1", "C=3" }));
    }
}
