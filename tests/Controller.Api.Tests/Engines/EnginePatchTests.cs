using System.Net;
using System.Net.Http.Json;
using System.Text;
using Controller.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Controller.Api.Tests.Engines;

/// <summary>PATCH /engine/{id} with a JSON merge patch changes what it names and keeps the rest (PUT replaces all).</summary>
public sealed class EnginePatchTests
{
    private ControllerFactory _factory = null!;
    private HttpClient _admin = null!;
    private Guid _engineId;

    [SetUp]
    public async Task SetUp()
    {
        _factory = new ControllerFactory();
        _admin = _factory.Admin();
        var created = await _admin.PostAsJsonAsync("/engine", new
        {
            name = "ocr",
            image = "registry/ocr:2.1",
            resources = new { cpuMillicores = 2000, memoryMiB = 4096, gpuCount = 0 },
            priority = 50,
            minInstances = 1,
            maxInstances = 20,
            desiredInstances = 4,
            hostLabels = new { pool = "gpu" },
        });
        _engineId = Guid.Parse((await created.ReadJsonAsync())["engineId"]!.GetValue<string>());
    }

    [TearDown]
    public void TearDown()
    {
        _admin.Dispose();
        _factory.Dispose();
    }

    private Task<HttpResponseMessage> PatchAsync(string json, string mediaType = "application/merge-patch+json") =>
        _admin.PatchAsync($"/engine/{_engineId}", new StringContent(json, Encoding.UTF8, mediaType));

    [Test]
    public async Task Patch_DesiredInstancesOnly_KeepsHostLabelsAndEverythingElse()
    {
        var response = await PatchAsync("""{"desiredInstances": 1}""");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var engine = await response.ReadJsonAsync();
        Assert.That(engine["desiredInstances"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(engine["hostLabels"]!["pool"]!.GetValue<string>(), Is.EqualTo("gpu"));
        Assert.That(engine["image"]!.GetValue<string>(), Is.EqualTo("registry/ocr:2.1"));
        Assert.That(engine["resources"]!["memoryMiB"]!.GetValue<int>(), Is.EqualTo(4096));
    }

    [Test]
    public async Task Patch_Scaling_SwitchesToQueueMode_AndBackKeepingTheRest()
    {
        var response = await PatchAsync("""{"scaling": {"mode": "queue", "targetTasksPerInstance": 10}}""");

        var engine = await response.ReadJsonAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), engine.ToJsonString());
        Assert.That(engine["scaling"]!["mode"]!.GetValue<string>(), Is.EqualTo("queue"));
        Assert.That(engine["scaling"]!["targetTasksPerInstance"]!.GetValue<int>(), Is.EqualTo(10));
        Assert.That(engine["scaling"]!["scaleDownAfterSeconds"]!.GetValue<int>(), Is.EqualTo(300), "the default");
        Assert.That(engine["desiredInstances"]!.GetValue<int>(), Is.EqualTo(4));

        var back = await (await PatchAsync("""{"scaling": {"mode": "manual"}, "desiredInstances": 2}""")).ReadJsonAsync();
        Assert.That(back["scaling"]!["mode"]!.GetValue<string>(), Is.EqualTo("manual"));
        Assert.That(back["desiredInstances"]!.GetValue<int>(), Is.EqualTo(2));

        var invalid = await PatchAsync("""{"scaling": {"mode": "queue", "targetTasksPerInstance": 0}}""");
        var error = await invalid.AssertErrorAsync(HttpStatusCode.BadRequest);
        Assert.That(error.ToJsonString(), Does.Contain("scaling.targetTasksPerInstance"));
    }

    [Test]
    public async Task Patch_DesiredInstancesOfAQueueScaledEngine_409NamingTheScalingMode_NothingChanged()
    {
        Assert.That((await PatchAsync("""{"scaling": {"mode": "queue", "targetTasksPerInstance": 10}}""")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var refused = await PatchAsync("""{"desiredInstances": 7}""");
        var error = await refused.AssertErrorAsync(HttpStatusCode.Conflict, "engine_scaled_by_queue");
        Assert.That(error.ToJsonString(), Does.Contain("queue"));
        var engine = await (await _admin.GetAsync($"/engine/{_engineId}")).ReadJsonAsync();
        Assert.That(engine["desiredInstances"]!.GetValue<int>(), Is.EqualTo(4), "unchanged");

        // The count it has is no change; with the scaling in the same patch the caller decides.
        Assert.That((await PatchAsync("""{"desiredInstances": 4}""")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await PatchAsync("""{"scaling": {"mode": "manual"}, "desiredInstances": 7}""")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Patch_NestedAndNull_MergesObjectsAndRemovesMembers()
    {
        var response = await PatchAsync("""{"resources": {"cpuMillicores": 500}, "hostLabels": {"pool": null, "zone": "b"}}""", "application/json");

        var engine = await response.ReadJsonAsync();
        Assert.That(engine["resources"]!["cpuMillicores"]!.GetValue<int>(), Is.EqualTo(500));
        Assert.That(engine["resources"]!["memoryMiB"]!.GetValue<int>(), Is.EqualTo(4096));
        Assert.That(engine["hostLabels"]!.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "zone" }));
    }

    [Test]
    public async Task Patch_InvalidResult_400AndNothingChanges()
    {
        var before = await _factory.WithDbAsync(db => db.Engines.AsNoTracking().SingleAsync(e => e.Id == _engineId));

        var tooMany = await PatchAsync("""{"minInstances": 30}""");
        var typo = await PatchAsync("""{"desiredInstanses": 3}""");
        var wrongType = await PatchAsync("""{"desiredInstances": "3"}""");

        await tooMany.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_failed");
        await typo.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_failed");
        await wrongType.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_failed");
        var after = await _factory.WithDbAsync(db => db.Engines.AsNoTracking().SingleAsync(e => e.Id == _engineId));
        Assert.That(after.Version, Is.EqualTo(before.Version));
    }

    [Test]
    public async Task Patch_UnknownEngine_404()
    {
        var response = await _admin.PatchAsync($"/engine/{Guid.NewGuid()}", new StringContent("{}", Encoding.UTF8, "application/merge-patch+json"));

        await response.AssertErrorAsync(HttpStatusCode.NotFound, "engine_not_found");
    }
}
