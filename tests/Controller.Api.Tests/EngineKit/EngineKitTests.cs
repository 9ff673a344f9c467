using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Controller.Api.Tests.Infrastructure;
using Controller.EngineKit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Controller.Api.Tests.EngineKit;

/// <summary>
/// The engine kit on its own against a started controller (in memory, every call checked against the OpenAPI
/// document): it registers, takes tasks, reports results and errors, drops cancelled tasks, finishes the task in hand
/// on SIGTERM, and ends with 0 when told to terminate.
/// </summary>
public sealed class EngineKitTests
{
    private ControllerFactory _factory = null!;
    private HttpClient _admin = null!;
    private Agent _agent = null!;
    private Guid _engineId;
    private IHost? _engine;

    [SetUp]
    public async Task SetUp()
    {
        _factory = new ControllerFactory();
        _admin = _factory.Admin();
        var created = await _admin.PostAsJsonAsync("/engine", new
        {
            name = "kit",
            image = "local/kit",
            resources = new { cpuMillicores = 100, memoryMiB = 64 },
            desiredInstances = 1,
        });
        _engineId = Guid.Parse((await created.ReadJsonAsync())["engineId"]!.GetValue<string>());
        _agent = await Agent.RegisterAsync(_factory);
        await _agent.ReportAsync(); // the launch: the agent "starts" the container
        await _agent.ReportAsync(); // and lists it: starting
    }

    [TearDown]
    public void TearDown()
    {
        _engine?.Dispose();
        _agent.Dispose();
        _admin.Dispose();
        _factory.Dispose();
        Environment.ExitCode = 0;
    }

    /// <summary>Starts the kit with the launch's environment, as the agent would start the engine's program.</summary>
    private async Task<IHost> StartEngineAsync(Func<EngineTask, CancellationToken, Task<JsonNode?>> handle)
    {
        var launch = _agent.Containers.Values.Single().Launch;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(launch["environment"]!.AsObject()
            .Where(e => e.Key != "CONTROLLER_URL")
            .Select(e => KeyValuePair.Create(e.Key, (string?)e.Value!.GetValue<string>()))
            .Append(KeyValuePair.Create("CONTROLLER_URL", (string?)"http://localhost")) // the in-memory controller
            .Append(KeyValuePair.Create("EngineKit:HeartbeatSeconds", (string?)"1")));
        builder.AddEngine<DelegatingHandler>();
        builder.Services.AddSingleton(handle);
        builder.Services.AddHttpClient(EngineKitExtensions.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => _factory.Server.CreateHandler())
            .AddHttpMessageHandler(() => new ContractCheckingHandler(() => _factory.Contract));
        _engine = builder.Build();
        await _engine.StartAsync();
        return _engine;
    }

    private async Task<Guid> SubmitAsync(object payload, int maxAttempts = 3) =>
        Guid.Parse((await (await _admin.PostAsJsonAsync("/task", new { engineId = _engineId, payload, maxAttempts })).ReadJsonAsync())["taskId"]!.GetValue<string>());

    private async Task<JsonObject> TaskAsync(Guid taskId) => await (await _admin.GetAsync($"/task/{taskId}")).ReadJsonAsync();

    private async Task<JsonObject> EventuallyAsync(Guid taskId, string state)
    {
        for (var i = 0; i < 200; i++)
        {
            var task = await TaskAsync(taskId);
            if (task["state"]!.GetValue<string>() == state)
            {
                return task;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"task {taskId} is not {state}: {(await TaskAsync(taskId)).ToJsonString()}");
        return null!;
    }

    [Test]
    public async Task Kit_RegistersTakesTasksAndReportsResultsAndErrors_ThenExitsWithZeroWhenTerminated()
    {
        var engine = await StartEngineAsync(async (task, ct) =>
        {
            await Task.Yield();
            return task.Payload?["fail"] is { } reason
                ? throw new InvalidOperationException(reason.GetValue<string>())
                : new JsonObject { ["echo"] = task.Payload?.DeepClone(), ["attempt"] = task.Attempt };
        });

        var ok = await SubmitAsync(new { text = "hello" });
        var bad = await SubmitAsync(new { fail = "the input is not a text" }, maxAttempts: 1);

        var done = await EventuallyAsync(ok, "succeeded");
        Assert.That(done["result"]!["echo"]!["text"]!.GetValue<string>(), Is.EqualTo("hello"));
        Assert.That(done["result"]!["attempt"]!.GetValue<int>(), Is.EqualTo(1));
        var failed = await EventuallyAsync(bad, "failed");
        Assert.That(failed["error"]!.GetValue<string>(), Is.EqualTo("the input is not a text"), "the exception's message is kept");
        var instance = await (await _admin.GetAsync($"/engine_instance/{_agent.Containers.Keys.Single()}")).ReadJsonAsync();
        Assert.That(instance["state"]!.GetValue<string>(), Is.EqualTo("running"), "registered");

        // Scale to 0: the agent's next report makes the copy stopping, getwork answers terminate, the kit ends with 0.
        var patched = await _admin.PatchAsync($"/engine/{_engineId}", new StringContent("""{"desiredInstances": 0}""", Encoding.UTF8, "application/merge-patch+json"));
        Assert.That(patched.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await _agent.ReportAsync(carryOut: false);
        await engine.WaitForShutdownAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.That(Environment.ExitCode, Is.Zero);
    }

    [Test]
    public async Task Kit_StoppedWhileATaskRuns_FinishesItAndReportsItBeforeExiting()
    {
        var started = new TaskCompletionSource();
        var engine = await StartEngineAsync(async (task, ct) =>
        {
            started.TrySetResult();
            await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
            return new JsonObject { ["slow"] = true };
        });
        var taskId = await SubmitAsync(new { text = "slow" });
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        await engine.StopAsync(); // SIGTERM

        var task = await TaskAsync(taskId);
        Assert.That(task["state"]!.GetValue<string>(), Is.EqualTo("succeeded"), task.ToJsonString());
        Assert.That(task["result"]!["slow"]!.GetValue<bool>(), Is.True);
    }

    [Test]
    public async Task Kit_TaskCancelledWhileItRuns_TheHandlerIsCancelled_AndNoOutcomeIsReported()
    {
        var started = new TaskCompletionSource();
        var cancelled = new TaskCompletionSource();
        await StartEngineAsync(async (task, ct) =>
        {
            started.TrySetResult();
            using var registration = ct.Register(() => cancelled.TrySetResult());
            await Task.Delay(Timeout.Infinite, ct);
            return null;
        });
        var taskId = await SubmitAsync(new { text = "never finished" });
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        (await _admin.DeleteAsync($"/task/{taskId}")).EnsureSuccessStatusCode();

        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(20)); // told by a heartbeat
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // its next getwork goes out
        Assert.That((await TaskAsync(taskId))["state"]!.GetValue<string>(), Is.EqualTo("cancelled"));
    }

    /// <summary>The author's handler, given by each test.</summary>
    private sealed class DelegatingHandler(Func<EngineTask, CancellationToken, Task<JsonNode?>> handle) : ITaskHandler
    {
        public Task<JsonNode?> HandleAsync(EngineTask task, CancellationToken cancellationToken) => handle(task, cancellationToken);
    }
}
