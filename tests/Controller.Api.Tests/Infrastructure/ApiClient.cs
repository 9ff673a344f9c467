using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Controller.Api.Tests.Infrastructure;

/// <summary>What a test needs to act as an admin, an agent or an engine instance.</summary>
public static class ApiClient
{
    public static async Task<string> NewRegistrationTokenAsync(this ControllerFactory factory)
    {
        using var admin = factory.Admin();
        var response = await admin.PostAsJsonAsync("/token", new { kind = "registration", name = "agents" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        return (await response.ReadJsonAsync())["token"]!.GetValue<string>();
    }

    public static object HostBody(string machineId, int cpu = 16000, int memory = 65536, int gpus = 0, object? labels = null) => new
    {
        machineId,
        hostname = "worker-" + machineId,
        ipAddresses = new[] { "10.0.3.17" },
        agentVersion = "1.4.2",
        labels = labels ?? new { zone = "a" },
        capacity = new { cpuMillicores = cpu, memoryMiB = memory, gpuCount = gpus, diskMiB = 512000 },
        containers = Array.Empty<object>(),
    };

    public static async Task<(Guid HostId, string Token)> RegisterHostAsync(this ControllerFactory factory, string? machineId = null, int cpu = 16000, int memory = 65536, int gpus = 0, object? labels = null)
    {
        using var agent = factory.ClientWith(await factory.NewRegistrationTokenAsync());
        var response = await agent.PostAsJsonAsync("/host/register", HostBody(machineId ?? Guid.NewGuid().ToString(), cpu, memory, gpus, labels));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var body = await response.ReadJsonAsync();
        return (Guid.Parse(body["hostId"]!.GetValue<string>()), body["token"]!.GetValue<string>());
    }

    public static object Status(int cpu = 16000, int memory = 65536, int gpus = 0, IEnumerable<object>? containers = null) => new
    {
        available = new { cpuMillicores = cpu, memoryMiB = memory, gpuCount = gpus, diskMiB = 400000 },
        containers = containers?.ToArray() ?? [],
    };

    public static async Task<JsonObject> ReadJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonNode.Parse(text)?.AsObject() ?? throw new InvalidOperationException("Empty body: " + text);
    }

    /// <summary>Asserts the status and the contract's error body, and returns the body.</summary>
    public static async Task<JsonObject> AssertErrorAsync(this HttpResponseMessage response, HttpStatusCode status, string? errorId = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), text);
        var body = JsonNode.Parse(text)!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That(body["ErrorId"]?.GetValueKind(), Is.EqualTo(JsonValueKind.String), text);
            Assert.That(body["ErrorDescription"]?.GetValueKind(), Is.EqualTo(JsonValueKind.String), text);
            Assert.That(body.ContainsKey("ErrorDetail"), Is.True, text);
            Assert.That(body["status"]?.GetValue<int>(), Is.EqualTo((int)status), text);
            Assert.That(body["traceId"], Is.Not.Null, text);
            if (errorId is not null)
            {
                Assert.That(body["ErrorId"]!.GetValue<string>(), Is.EqualTo(errorId), text);
            }
        });
        return body;
    }
}
