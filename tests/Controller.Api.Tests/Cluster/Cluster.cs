using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Controller.Api.Tests.Infrastructure;

namespace Controller.Api.Tests.Cluster;

/// <summary>
/// A whole cluster on this machine, as a user runs it: the controller as a process (SQLite, or PostgreSQL in that
/// pass), a host agent as a process, engines started by the agent. Helpers speak HTTP as an admin would.
/// </summary>
public sealed class Cluster : IAsyncDisposable
{
    private readonly string _directory;

    private Cluster(ControllerProcess controller, string directory)
    {
        Controller = controller;
        _directory = directory;
        Admin = new HttpClient { BaseAddress = controller.BaseAddress };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ControllerFactory.AdminToken);
    }

    public ControllerProcess Controller { get; }

    public HttpClient Admin { get; }

    public AgentProcess? Agent { get; private set; }

    public string AgentDataDirectory => Path.Combine(_directory, "agent");

    public static async Task<Cluster> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "controller-cluster", Guid.NewGuid().ToString("N"));
        var postgres = TestDatabase.PostgresConnectionString();
        string[] database = postgres is null ? [] : ["--Database:Provider=Postgres", $"--ConnectionStrings:Controller={TestDatabase.CreatePostgresDatabase(postgres)}"];
        var controller = await ControllerProcess.StartAsync(ControllerProcess.FreePort(), Path.Combine(directory, "controller"),
            [.. database, "--Scheduling:StatusIntervalSeconds=1", "--Work:PollSeconds=1"]);
        return new Cluster(controller, directory);
    }

    public async Task<string> RegistrationTokenAsync() =>
        (await ReadAsync(await Admin.PostAsJsonAsync("/token", new { kind = "registration", name = "cluster test agents" })))["token"]!.GetValue<string>();

    public AgentProcess StartAgent(string? registrationToken, params string[] settings)
    {
        Agent?.Dispose();
        Agent = AgentProcess.Start(Controller.BaseAddress, registrationToken, AgentDataDirectory, settings);
        return Agent;
    }

    public async Task<Guid> CreateEngineAsync(object definition) =>
        Guid.Parse((await ReadAsync(await Admin.PostAsJsonAsync("/engine", definition)))["engineId"]!.GetValue<string>());

    public async Task ScaleAsync(Guid engineId, int desired) =>
        await ReadAsync(await Admin.PatchAsync($"/engine/{engineId}",
            new StringContent($$"""{"desiredInstances": {{desired}}}""", Encoding.UTF8, "application/merge-patch+json")));

    /// <summary>The engine's instances in a state: id and container id.</summary>
    public async Task<List<(Guid InstanceId, string ContainerId)>> InstancesAsync(Guid engineId, string state)
    {
        var page = await ReadAsync(await Admin.GetAsync($"/engine_instance?engineId={engineId}&state={state}&pageSize=100"));
        return [.. page["items"]!.AsArray().Select(i => (Guid.Parse(i!["engineInstanceId"]!.GetValue<string>()), i["containerId"]?.GetValue<string>() ?? string.Empty))];
    }

    /// <summary>
    /// Whether exactly <paramref name="count"/> copies run with their container ids known: a copy runs once its engine
    /// registered, and its container id is known once its agent reported it; either may come first.
    /// </summary>
    public async Task<bool> RunWithContainersAsync(Guid engineId, int count) =>
        await InstancesAsync(engineId, "running") is { } up && up.Count == count && up.All(i => i.ContainerId.Length > 0);

    /// <summary>Submits tasks whose text has <c>i + 1</c> words, in batches; returns their ids in order.</summary>
    public async Task<List<Guid>> SubmitWordTasksAsync(Guid engineId, int count)
    {
        var ids = new List<Guid>();
        foreach (var chunk in Enumerable.Range(0, count).Chunk(100))
        {
            var tasks = chunk.Select(i => new { engineId, payload = new { text = string.Join(' ', Enumerable.Repeat("word", i + 1)) }, maxAttempts = 5 });
            var batch = await ReadAsync(await Admin.PostAsJsonAsync("/task/batch", new { tasks }));
            ids.AddRange(batch["tasks"]!.AsArray().Select(t => Guid.Parse(t!["taskId"]!.GetValue<string>())));
        }

        return ids;
    }

    public async Task<JsonArray> TasksAsync(Guid engineId, string state) =>
        (await ReadAsync(await Admin.GetAsync($"/task?engineId={engineId}&state={state}&limit=500")))["items"]!.AsArray();

    public async Task<JsonObject> HostAsync() => (JsonObject)(await ReadAsync(await Admin.GetAsync("/host?pageSize=10")))["items"]!.AsArray().Single()!;

    /// <summary>Polls (at most four times a second, within the rate limits) until the condition holds.</summary>
    public async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not within {within.TotalSeconds} s: {what}.\n--- agent ---\n{Agent?.Output}");
            }

            await Task.Delay(250);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Agent?.Dispose();
        Admin.Dispose();
        Controller.Dispose();
        await Task.Yield();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // left in the temp folder
        }
    }

    private static async Task<JsonObject> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.InRange(200, 299), $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {text}");
        return response.StatusCode == HttpStatusCode.NoContent ? [] : JsonNode.Parse(text)!.AsObject();
    }
}
