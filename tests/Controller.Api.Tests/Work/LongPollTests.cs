using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Controller.Api.Tests.Infrastructure;
using Controller.Infrastructure.BackgroundServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Controller.Api.Tests.Work;

/// <summary>getwork with <c>waitSeconds</c>: held while there is nothing to hand out, answered as soon as that changes.</summary>
public sealed class LongPollTests
{
    private ControllerFactory _factory = null!;
    private HttpClient _admin = null!;

    [SetUp]
    public void SetUp()
    {
        _factory = new ControllerFactory(new Dictionary<string, string?>
        {
            ["Scheduling:SweepIntervalSeconds"] = "3600",
            ["Scheduling:InstanceHeartbeatTimeoutSeconds"] = "3600",
            ["Scheduling:HostLostAfterSeconds"] = "3600",
        });
        _admin = _factory.Admin();
    }

    [TearDown]
    public void TearDown()
    {
        _admin.Dispose();
        _factory.Dispose();
    }

    private async Task<(Guid EngineId, Agent Agent, Worker Worker)> RunningCopyAsync(int copies = 1)
    {
        var engineId = await _admin.CreateEngineAsync("e" + Guid.NewGuid().ToString("N")[..8], copies);
        var agent = await Agent.RegisterAsync(_factory);
        agent.RunEngines = true;
        await agent.ReportAsync();
        await agent.ReportAsync();
        return (engineId, agent, Worker.Of(_factory, agent, engineId)[0]);
    }

    private static async Task<JsonObject> AnswerAsync(Task<HttpResponseMessage> call)
    {
        var response = await call;
        Assert.That(response.IsSuccessStatusCode, Is.True, await response.Content.ReadAsStringAsync());
        return await response.ReadJsonAsync();
    }

    /// <summary>The call is still held after a moment (nothing answered it early).</summary>
    private static async Task AssertHeldAsync(Task<HttpResponseMessage> call)
    {
        await Task.Delay(300);
        Assert.That(call.IsCompleted, Is.False, "held while there is nothing to hand out");
    }

    [Test]
    public async Task AHeldCall_GetsATaskSubmittedWhileItWaits_AtOnce()
    {
        var (engineId, agent, worker) = await RunningCopyAsync();
        using var _ = agent;
        var call = worker.GetWorkRawWithAsync(new { maxItems = 1, waitSeconds = 20 });
        await AssertHeldAsync(call);
        Assert.That(_factory.Services.GetRequiredService<Application.Work.WorkWaiters>().Held, Is.EqualTo(1));
        Assert.That(await (await _admin.GetAsync("/metrics")).Content.ReadAsStringAsync(), Does.Contain("controller_getwork_held"));

        var submitted = Stopwatch.StartNew();
        var taskId = (await _admin.SubmitAsync(engineId)).Id();
        var answer = await AnswerAsync(call);

        Assert.That(answer["action"]!.GetValue<string>(), Is.EqualTo("process"));
        Assert.That(Worker.TaskIds(answer), Is.EqualTo(new[] { taskId }));
        Assert.That(submitted.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)), "woken by the submission, not by a poll");
    }

    [Test]
    public async Task OneTask_IsHandedToOneOfTwoHeldCalls_TheOtherWaitsOn()
    {
        var (engineId, agent, _) = await RunningCopyAsync(copies: 2);
        using var __ = agent;
        var workers = Worker.Of(_factory, agent, engineId);
        var calls = workers.Select(w => w.GetWorkRawWithAsync(new { maxItems = 1, waitSeconds = 20 })).ToList();
        await AssertHeldAsync(calls[0]);

        await _admin.SubmitAsync(engineId);
        var first = await Task.WhenAny(calls);
        await Task.Delay(300);

        Assert.That((await AnswerAsync(first))["action"]!.GetValue<string>(), Is.EqualTo("process"));
        Assert.That(calls.Single(c => c != first).IsCompleted, Is.False, "one task wakes one call");
    }

    [Test]
    public async Task TheWaitEnds_Wait()
    {
        var (_, agent, worker) = await RunningCopyAsync();
        using var _ = agent;
        var call = worker.GetWorkRawWithAsync(new { maxItems = 1, waitSeconds = 3 });
        await AssertHeldAsync(call);

        for (var step = 0; step < 8 && !call.IsCompleted; step++)
        {
            _factory.Clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(100);
        }

        Assert.That((await AnswerAsync(call))["action"]!.GetValue<string>(), Is.EqualTo("wait"));
    }

    [Test]
    public async Task OutcomesSentWithALongPoll_AreAppliedBeforeItWaits()
    {
        var (engineId, agent, worker) = await RunningCopyAsync();
        using var _ = agent;
        var taskId = (await _admin.SubmitAsync(engineId)).Id();
        Assert.That(Worker.TaskIds(await worker.GetWorkAsync()), Is.EqualTo(new[] { taskId }));

        var call = worker.GetWorkRawWithAsync(new { maxItems = 1, waitSeconds = 20, completed = new[] { Worker.Succeeded(taskId, new { ok = true }) } });
        await AssertHeldAsync(call);

        Assert.That((await _admin.TaskAsync(taskId))["state"]!.GetValue<string>(), Is.EqualTo("succeeded"));
        await _admin.SubmitAsync(engineId);
        Assert.That((await AnswerAsync(call))["action"]!.GetValue<string>(), Is.EqualTo("process"));
    }

    [Test]
    public async Task TheEngineScalesDown_AHeldCallOfTheCopyItStops_IsTerminatedAtOnce()
    {
        var (engineId, agent, worker) = await RunningCopyAsync();
        using var _ = agent;
        var call = worker.GetWorkRawWithAsync(new { maxItems = 1, waitSeconds = 20 });
        await AssertHeldAsync(call);

        using var patch = new HttpRequestMessage(HttpMethod.Patch, $"/engine/{engineId}") { Content = JsonContent.Create(new { desiredInstances = 0 }) };
        patch.Content.Headers.ContentType = new("application/merge-patch+json");
        (await _admin.SendAsync(patch)).EnsureSuccessStatusCode();
        agent.CarryOutTerminates = false;
        await agent.ReportAsync(); // the host's round stops the copy

        Assert.That((await AnswerAsync(call))["action"]!.GetValue<string>(), Is.EqualTo("terminate"));
    }

    [Test]
    public async Task TheCopyIsStoppedByAnAdmin_AHeldCallIsTerminatedAtOnce()
    {
        var (_, agent, worker) = await RunningCopyAsync();
        using var _ = agent;
        var call = worker.GetWorkRawWithAsync(new { maxItems = 1, waitSeconds = 20 });
        await AssertHeldAsync(call);

        (await _admin.DeleteAsync($"/engine_instance/{worker.InstanceId}")).EnsureSuccessStatusCode();

        Assert.That((await AnswerAsync(call))["action"]!.GetValue<string>(), Is.EqualTo("terminate"));
    }

    [Test]
    public async Task ItsHostDrains_AHeldCallIsTerminatedAtOnce()
    {
        var (_, agent, worker) = await RunningCopyAsync();
        using var _ = agent;
        var call = worker.GetWorkRawWithAsync(new { maxItems = 1, waitSeconds = 20 });
        await AssertHeldAsync(call);

        (await _admin.PostAsJsonAsync($"/host/{agent.HostId}/drain", new { })).EnsureSuccessStatusCode();

        Assert.That((await AnswerAsync(call))["action"]!.GetValue<string>(), Is.EqualTo("terminate"));
    }

    [Test]
    public async Task ATaskStoredWhereNoWakeUpReaches_IsFoundByTheNextAsk_AtTheLatestWhenTheWaitEnds()
    {
        var (engineId, agent, worker) = await RunningCopyAsync();
        using var _ = agent;
        var call = worker.GetWorkRawWithAsync(new { maxItems = 1, waitSeconds = 20 });
        await AssertHeldAsync(call);

        // Stored without waking anyone (straight into the database): one replica on SQLite sees every change, so its
        // held calls wait their whole wait, and the engine's next call finds the task.
        await _factory.WithDbAsync(async db =>
        {
            db.Tasks.Add(Domain.Work.WorkTask.Submit(Guid.CreateVersion7(), new Domain.Work.TaskSpec(engineId, "{}", 0, 3, 60, null), _factory.Clock.GetUtcNow()));
            return await db.SaveChangesAsync();
        });
        _factory.Clock.Advance(TimeSpan.FromSeconds(10));
        await AssertHeldAsync(call);
        _factory.Clock.Advance(TimeSpan.FromSeconds(10));

        Assert.That((await AnswerAsync(call))["action"]!.GetValue<string>(), Is.EqualTo("wait"));
        Assert.That((await worker.GetWorkWithAsync(new { maxItems = 1, waitSeconds = 20 }))["action"]!.GetValue<string>(), Is.EqualTo("process"));
    }

    [Test]
    public async Task ALeasePutBackByTheSweep_WakesAHeldCall()
    {
        var engineId = await _admin.CreateEngineAsync("requeued", desired: 2);
        using var agent = await Agent.RegisterAsync(_factory);
        agent.RunEngines = true;
        await agent.ReportAsync();
        await agent.ReportAsync();
        var workers = Worker.Of(_factory, agent, engineId);
        await _admin.SubmitAsync(engineId, timeoutSeconds: 60);
        Assert.That((await workers[0].GetWorkWithAsync(new { maxItems = 1 }))["action"]!.GetValue<string>(), Is.EqualTo("process"));

        // The copy that took it goes silent past its lease; the other waits for work, and the sweep puts the task back.
        _factory.Clock.Advance(TimeSpan.FromSeconds(61));
        var call = workers[1].GetWorkRawWithAsync(new { maxItems = 1, waitSeconds = 20 });
        await AssertHeldAsync(call);
        await _factory.Services.GetRequiredService<SweepService>().TickAsync(CancellationToken.None);

        Assert.That((await AnswerAsync(call))["action"]!.GetValue<string>(), Is.EqualTo("process"), "woken by the sweep, before its wait ended");
    }

    [Test]
    public async Task TheControllerShutsDown_AHeldCallIsAnsweredWait()
    {
        // The shutdown goes on (and the services are disposed) only once the call has its answer, as Kestrel's graceful
        // shutdown waits for requests in flight; the test server does not, so a stopping service waits here for it.
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var factory = new StoppingFactory(answered.Task);
        using var admin = factory.Admin();
        var engineId = await admin.CreateEngineAsync("stopping", 1);
        using var agent = await Agent.RegisterAsync(factory);
        agent.RunEngines = true;
        await agent.ReportAsync();
        await agent.ReportAsync();
        using var worker = Worker.Of(factory, agent, engineId)[0];
        var call = worker.GetWorkRawWithAsync(new { maxItems = 1, waitSeconds = 20 });
        await AssertHeldAsync(call);

        var stopping = Task.Run(() => factory.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication());
        var answer = await call.WaitAsync(TimeSpan.FromSeconds(10)); // the fake clock stands still: only the shutdown answers it
        answered.SetResult();
        await stopping;

        Assert.That(answer.IsSuccessStatusCode, Is.True, await answer.Content.ReadAsStringAsync());
        Assert.That((await answer.ReadJsonAsync())["action"]!.GetValue<string>(), Is.EqualTo("wait"));
    }

    /// <summary>A controller whose shutdown waits (up to 10 s) for the test to have its answer before it goes on.</summary>
    private sealed class StoppingFactory(Task answered) : ControllerFactory(new Dictionary<string, string?> { ["Scheduling:SweepIntervalSeconds"] = "3600" })
    {
        protected override void ConfigureServices(IServiceCollection services) => services.AddHostedService(_ => new WaitsForAnswer(answered));
    }

    private sealed class WaitsForAnswer(Task answered) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => answered.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
    }

    [Test]
    public async Task WaitSecondsOutOfRange_Is400()
    {
        var (_, agent, worker) = await RunningCopyAsync();
        using var _ = agent;

        var response = await worker.GetWorkRawWithAsync(new { maxItems = 1, waitSeconds = 21 });

        Assert.That((int)response.StatusCode, Is.EqualTo(400));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("waitSeconds"));
    }
}
