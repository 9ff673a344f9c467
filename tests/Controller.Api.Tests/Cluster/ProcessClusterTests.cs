using System.Globalization;
using System.Net.Http.Json;
using Controller.Api.Tests.Infrastructure;

namespace Controller.Api.Tests.Cluster;

/// <summary>
/// The agent with its <c>process</c> driver runs the sample engine as real processes for a real controller: copies
/// start, register and heartbeat; tasks succeed; a killed copy is replaced; a killed agent adopts its copies when it
/// starts again; a scale-down stops them within their grace; terminating the host ends the agent with 0. A rolling
/// update replaces a copy that holds a task only once it has finished it: the engine ends on its own (exit code 0).
/// </summary>
public sealed class ProcessClusterTests
{
    private static int Pid(string containerId) => int.Parse(containerId["pid-".Length..], CultureInfo.InvariantCulture);

    private static bool Alive(int pid) =>
        File.Exists($"/proc/{pid}/stat") && File.ReadAllText($"/proc/{pid}/stat") is var stat && stat[(stat.LastIndexOf(')') + 2)] != 'Z';

    [Test]
    [CancelAfter(240_000)]
    public async Task ProcessDriver_FromLaunchToTermination_WithRealProcesses()
    {
        await using var cluster = await Cluster.StartAsync();
        var agent = cluster.StartAgent(await cluster.RegistrationTokenAsync(), "--Agent:Driver=process", "--Agent:Labels:pool=cpu");
        await cluster.EventuallyAsync(async () => (await cluster.Admin.GetAsync("/host?state=active")).IsSuccessStatusCode
            && (await cluster.Admin.GetStringAsync("/host?state=active")).Contains("\"pool\":\"cpu\"", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the agent registers");

        // Two copies of the sample engine start as processes, register and heartbeat.
        var engineId = await cluster.CreateEngineAsync(new
        {
            name = "wordcount",
            image = "local/wordcount",
            resources = new { cpuMillicores = 100, memoryMiB = 128 },
            desiredInstances = 2,
            hostLabels = new { pool = "cpu" },
            command = new[] { "dotnet", AgentProcess.WordCountDll },
            environment = new Dictionary<string, string> { ["EngineKit__MaxItems"] = "10", ["EngineKit__HeartbeatSeconds"] = "2" },
            stopGraceSeconds = 5,
        });
        await cluster.EventuallyAsync(() => cluster.RunWithContainersAsync(engineId, 2), TimeSpan.FromSeconds(60), "two copies run");
        var running = await cluster.InstancesAsync(engineId, "running");
        var pids = running.Select(r => Pid(r.ContainerId)).ToList();
        Assert.That(pids, Has.All.Matches<int>(Alive), "real processes");

        // 200 tasks all succeed with their results.
        var tasks = await cluster.SubmitWordTasksAsync(engineId, 200);
        await cluster.EventuallyAsync(async () => (await cluster.TasksAsync(engineId, "succeeded")).Count == 200, TimeSpan.FromSeconds(60), "200 tasks succeed");
        var succeeded = (await cluster.TasksAsync(engineId, "succeeded")).ToDictionary(t => Guid.Parse(t!["taskId"]!.GetValue<string>()));
        for (var i = 0; i < tasks.Count; i++)
        {
            Assert.That(succeeded[tasks[i]]!["result"]!["words"]!.GetValue<int>(), Is.EqualTo(i + 1), $"task {i}'s result");
        }

        // A copy killed with SIGKILL is reported failed and replaced.
        var victim = running[0];
        System.Diagnostics.Process.GetProcessById(Pid(victim.ContainerId)).Kill();
        await cluster.EventuallyAsync(async () => (await cluster.InstancesAsync(engineId, "failed")).Any(f => f.InstanceId == victim.InstanceId)
            && await cluster.RunWithContainersAsync(engineId, 2), TimeSpan.FromSeconds(60), "the killed copy is failed and replaced");
        running = await cluster.InstancesAsync(engineId, "running");

        // The agent killed with SIGKILL and started again adopts the running copies: same processes, no new launch.
        await agent.KillAsync();
        agent = cluster.StartAgent(null, "--Agent:Driver=process", "--Agent:Labels:pool=cpu");
        await cluster.EventuallyAsync(() => Task.FromResult(agent.Output.Contains("re-registered with its own token; 2 engine(s) already running", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), "the restarted agent finds its two engines");
        await Task.Delay(TimeSpan.FromSeconds(3)); // a few status rounds
        var afterRestart = await cluster.InstancesAsync(engineId, "running");
        Assert.That(afterRestart, Is.EquivalentTo(running), "the same copies, same pids");
        Assert.That(afterRestart.Select(r => Pid(r.ContainerId)), Has.All.Matches<int>(Alive));
        Assert.That(await cluster.InstancesAsync(engineId, "pending"), Is.Empty, "no new launch");
        Assert.That(agent.Output, Does.Not.Contain("Started engine"));

        // Scale to 0: both processes stop within their grace.
        await cluster.ScaleAsync(engineId, 0);
        await cluster.EventuallyAsync(() => Task.FromResult(!afterRestart.Select(r => Pid(r.ContainerId)).Any(Alive)), TimeSpan.FromSeconds(5 + 10), "the copies stop within their grace");
        await cluster.EventuallyAsync(async () => (await cluster.InstancesAsync(engineId, "stopped")).Count == afterRestart.Count, TimeSpan.FromSeconds(30), "the copies are stopped");

        // A new copy, then the host is terminated: the agent stops it and exits 0, leaving no engine process.
        await cluster.ScaleAsync(engineId, 1);
        await cluster.EventuallyAsync(async () => (await cluster.InstancesAsync(engineId, "running")).Count == 1, TimeSpan.FromSeconds(60), "a copy runs again");
        var last = Pid((await cluster.InstancesAsync(engineId, "running")).Single().ContainerId);
        var hostId = (await cluster.HostAsync())["hostId"]!.GetValue<string>();
        (await cluster.Admin.PostAsync($"/host/{hostId}/terminate", null)).EnsureSuccessStatusCode();

        Assert.That(await agent.WaitForExitAsync(TimeSpan.FromSeconds(60)), Is.Zero, agent.Output);
        Assert.That(Alive(last), Is.False, "no engine process left behind");
        Assert.That((await cluster.HostAsync())["state"]!.GetValue<string>(), Is.EqualTo("terminated"));
        Assert.That(Directory.EnumerateFiles(Path.Combine(cluster.AgentDataDirectory, "engines"), "*.json"), Is.Empty, "nothing left to adopt");
    }

    [Test]
    [CancelAfter(240_000)]
    public async Task ProcessDriver_ARollingUpdate_LetsTheBusyCopyFinishItsTaskAndEndOnItsOwn()
    {
        await using var cluster = await Cluster.StartAsync();
        cluster.StartAgent(await cluster.RegistrationTokenAsync(), "--Agent:Driver=process");
        await cluster.EventuallyAsync(async () => (await cluster.Admin.GetStringAsync("/host?state=active")).Contains("hostId", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "the agent registers");
        object Definition(string version) => new
        {
            name = "wordcount",
            image = "local/wordcount",
            resources = new { cpuMillicores = 100, memoryMiB = 128 },
            desiredInstances = 1,
            command = new[] { "dotnet", AgentProcess.WordCountDll },
            environment = new Dictionary<string, string> { ["EngineKit__MaxItems"] = "1", ["EngineKit__HeartbeatSeconds"] = "1", ["VERSION"] = version },
            stopGraceSeconds = 60,
            update = new { maxSurge = "1", maxUnavailable = "0", healthyAfterSeconds = 1 },
        };
        var engineId = await cluster.CreateEngineAsync(Definition("1"));
        await cluster.EventuallyAsync(() => cluster.RunWithContainersAsync(engineId, 1), TimeSpan.FromSeconds(60), "a copy runs");
        var old = (await cluster.InstancesAsync(engineId, "running")).Single();

        // The copy takes a task of 30 s (longer than its replacement takes to start, however loaded the machine); the
        // engine changes meanwhile.
        var submitted = await cluster.Admin.PostAsJsonAsync("/task", new { engineId, payload = new { text = "a slow one", milliseconds = 30_000 } });
        var taskId = (await submitted.ReadJsonAsync()).Id();
        await cluster.EventuallyAsync(async () => (await cluster.TasksAsync(engineId, "leased")).Count == 1, TimeSpan.FromSeconds(20), "the copy holds the task");
        (await cluster.Admin.PutAsJsonAsync($"/engine/{engineId}", Definition("2"))).EnsureSuccessStatusCode();

        // Its replacement runs, it is stopped (rolling_update) while it still works, and ends once the task is done.
        await cluster.EventuallyAsync(async () => (await cluster.InstancesAsync(engineId, "stopping")).Any(i => i.InstanceId == old.InstanceId),
            TimeSpan.FromSeconds(30), "the old copy is stopped once its replacement runs healthy");
        Assert.That(Alive(Pid(old.ContainerId)), Is.True, "its process is left to finish the task");
        Assert.That((await cluster.TasksAsync(engineId, "leased")).Select(t => t!["taskId"]!.GetValue<string>()), Is.EqualTo(new[] { taskId.ToString() }),
            "stopped while it still held the task");
        await cluster.EventuallyAsync(() => Task.FromResult(!Alive(Pid(old.ContainerId))), TimeSpan.FromSeconds(50), "it ends once the task is done");
        var task = await (await cluster.Admin.GetAsync($"/task/{taskId}")).ReadJsonAsync();
        Assert.That((task["state"]!.GetValue<string>(), task["attempts"]!.GetValue<int>()), Is.EqualTo(("succeeded", 1)), "done by the old copy, never handed out again");
        Assert.That(task["engineInstanceId"]!.GetValue<string>(), Is.EqualTo(old.InstanceId.ToString()));
        await cluster.EventuallyAsync(async () => (await cluster.InstancesAsync(engineId, "stopped")).Any(i => i.InstanceId == old.InstanceId),
            TimeSpan.FromSeconds(30), "the old copy is stopped");
        var ended = await (await cluster.Admin.GetAsync($"/engine_instance/{old.InstanceId}")).ReadJsonAsync();
        Assert.That((ended["stopReason"]!.GetValue<string>(), ended["exitCode"]?.GetValue<int>()), Is.EqualTo(("rolling_update", (int?)0)),
            "it ended on its own, told by getwork, not killed");
        Assert.That(cluster.Agent!.Output, Does.Not.Contain($"Stopping engine {old.InstanceId}"), "its host was never told to stop it");
        Assert.That(await cluster.RunWithContainersAsync(engineId, 1), Is.True);
    }
}
