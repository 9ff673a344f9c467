using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Controller.Api.Tests.Infrastructure;

/// <summary>A simulated engine instance that pulls work with getwork (its container runs on an <see cref="Agent"/>).</summary>
public sealed class Worker(ControllerFactory factory, Guid instanceId, string token) : IDisposable
{
    private readonly HttpClient _client = factory.ClientWith(token);

    public Guid InstanceId { get; } = instanceId;

    public static List<Worker> Of(ControllerFactory factory, Agent agent, Guid engineId) =>
        [.. agent.InstancesOf(engineId).Select(id => new Worker(factory, id, agent.Containers[id].Launch["environment"]!["ENGINE_INSTANCE_TOKEN"]!.GetValue<string>()))];

    public static object Succeeded(Guid taskId, object? result = null) => new { taskId, outcome = "succeeded", result };

    public static object Failed(Guid taskId, string error) => new { taskId, outcome = "failed", error };

    public Task<HttpResponseMessage> GetWorkRawAsync(int maxItems = 1, params object[] completed) =>
        _client.PostAsJsonAsync($"/engine_instance/{InstanceId}/getwork", new { completed, maxItems });

    public Task<HttpResponseMessage> GetWorkRawWithAsync(object body) => _client.PostAsJsonAsync($"/engine_instance/{InstanceId}/getwork", body);

    /// <summary>getwork with the body as given, asserting 200.</summary>
    public async Task<JsonObject> GetWorkWithAsync(object body)
    {
        var response = await GetWorkRawWithAsync(body);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await response.ReadJsonAsync();
    }

    /// <summary>getwork, asserting 200.</summary>
    public async Task<JsonObject> GetWorkAsync(int maxItems = 1, params object[] completed)
    {
        var response = await GetWorkRawAsync(maxItems, completed);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await response.ReadJsonAsync();
    }

    public async Task<JsonObject> HeartbeatAsync(bool busy = false)
    {
        var response = await _client.PostAsJsonAsync($"/engine_instance/{InstanceId}/heartbeat", new { busy });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await response.ReadJsonAsync();
    }

    public static List<Guid> TaskIds(JsonObject answer) =>
        [.. answer["items"]!.AsArray().Select(i => Guid.Parse(i!["taskId"]!.GetValue<string>()))];

    public void Dispose() => _client.Dispose();
}

/// <summary>Submitting and reading tasks as a client would.</summary>
public static class TaskApi
{
    public static async Task<Guid> CreateEngineAsync(this HttpClient admin, string name, int desired = 1, object? scaling = null, int min = 0, int max = 10)
    {
        var response = await admin.PostAsJsonAsync("/engine", new
        {
            name,
            image = "registry.example/" + name + ":1",
            resources = new { cpuMillicores = 1000, memoryMiB = 1024, gpuCount = 0, diskMiB = 0 },
            priority = 0,
            minInstances = min,
            maxInstances = max,
            desiredInstances = scaling is null ? desired : (int?)null,
            scaling,
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return Guid.Parse((await response.ReadJsonAsync())["engineId"]!.GetValue<string>());
    }

    public static async Task<JsonObject> SubmitAsync(this HttpClient client, Guid engineId, object? payload = null, int priority = 0, int maxAttempts = 3, int timeoutSeconds = 300, string? idempotencyKey = null, HttpStatusCode expected = HttpStatusCode.Created)
    {
        var response = await client.PostAsJsonAsync("/task", new { engineId, payload = payload ?? new { n = 1 }, priority, maxAttempts, timeoutSeconds, idempotencyKey });
        Assert.That(response.StatusCode, Is.EqualTo(expected), await response.Content.ReadAsStringAsync());
        return await response.ReadJsonAsync();
    }

    public static Guid Id(this JsonObject task) => Guid.Parse(task["taskId"]!.GetValue<string>());

    public static async Task<JsonObject> TaskAsync(this HttpClient client, Guid taskId)
    {
        var response = await client.GetAsync($"/task/{taskId}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await response.ReadJsonAsync();
    }
}
