using System.Diagnostics;
using Controller.Api.Tests.Infrastructure;

namespace Controller.Api.Tests.Cluster;

/// <summary>
/// The agent with its <c>docker</c> driver runs the sample engine as containers (an image built here with
/// scripts/sample-image.sh, host networking) for a real controller: the process scenario, shorter.
/// scripts/test.sh installs Debian's docker.io and starts dockerd when none runs.
/// </summary>
public sealed class DockerClusterTests
{
    private const string Image = "controller-samples/wordcount:test";

    [OneTimeSetUp]
    public async Task BuildImage()
    {
        if (!File.Exists("/var/run/docker.sock"))
        {
            if (Environment.GetEnvironmentVariable("CI") == "true")
            {
                Assert.Fail("No Docker engine at /var/run/docker.sock: scripts/test.sh starts one in CI.");
            }

            Assert.Ignore("No Docker engine at /var/run/docker.sock (scripts/test.sh starts one).");
        }

        var (code, output) = await RunAsync(RepositoryFiles.Path("scripts/sample-image.sh"), Image);
        Assert.That(code, Is.Zero, output);
    }

    private static async Task<(int Code, string Output)> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["CONFIGURATION"] = AgentProcess.Configuration;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        return (process.ExitCode, await output + await errors);
    }

    /// <summary>Whether Docker says the container runs (asked again when the CLI itself fails, as it may on a busy daemon).</summary>
    private static async Task<bool> ContainerRunsAsync(string id)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (code, output) = await RunAsync("docker", "inspect", "-f", "{{.State.Running}}", id);
            if (code == 0 || attempt == 3)
            {
                return code == 0 && output.Trim() == "true";
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>What Docker knows of a container, for a failure's message.</summary>
    private static async Task<string> DescribeAsync(string id) =>
        (await RunAsync("docker", "inspect", "-f", "{{json .State}}", id)).Output + (await RunAsync("docker", "logs", "--tail", "20", id)).Output;

    [Test]
    [CancelAfter(240_000)]
    public async Task DockerDriver_FromLaunchToTermination_WithRealContainers()
    {
        await using var cluster = await Cluster.StartAsync();
        string[] settings = ["--Agent:Driver=docker", "--Agent:Docker:NetworkMode=host"];
        var agent = cluster.StartAgent(await cluster.RegistrationTokenAsync(), settings);
        var engineId = await cluster.CreateEngineAsync(new
        {
            name = "wordcount",
            image = Image,
            resources = new { cpuMillicores = 250, memoryMiB = 256 },
            desiredInstances = 2,
            environment = new Dictionary<string, string> { ["EngineKit__MaxItems"] = "10", ["EngineKit__HeartbeatSeconds"] = "2" },
            stopGraceSeconds = 5,
        });
        await cluster.EventuallyAsync(() => cluster.RunWithContainersAsync(engineId, 2), TimeSpan.FromSeconds(60), "two containers run");
        var running = await cluster.InstancesAsync(engineId, "running");
        foreach (var (_, container) in running)
        {
            Assert.That(await ContainerRunsAsync(container), Is.True, $"real containers: {await DescribeAsync(container)}");
        }

        var tasks = await cluster.SubmitWordTasksAsync(engineId, 20);
        await cluster.EventuallyAsync(async () => (await cluster.TasksAsync(engineId, "succeeded")).Count == tasks.Count, TimeSpan.FromSeconds(60), "the tasks succeed");

        // A container killed is reported failed and replaced.
        Assert.That((await RunAsync("docker", "kill", running[0].ContainerId)).Code, Is.Zero);
        await cluster.EventuallyAsync(async () => (await cluster.InstancesAsync(engineId, "failed")).Any(f => f.InstanceId == running[0].InstanceId)
            && await cluster.RunWithContainersAsync(engineId, 2), TimeSpan.FromSeconds(60), "the killed container is failed and replaced");
        running = await cluster.InstancesAsync(engineId, "running");

        // The agent killed and started again adopts the containers by their labels.
        await agent.KillAsync();
        agent = cluster.StartAgent(null, settings);
        await cluster.EventuallyAsync(() => Task.FromResult(agent.Output.Contains("2 engine(s) already running", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), "the restarted agent finds its containers");
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.That(await cluster.InstancesAsync(engineId, "running"), Is.EquivalentTo(running), "the same containers");
        Assert.That(agent.Output, Does.Not.Contain("Started engine"));

        // Terminate the host: the containers stop, the agent exits 0.
        var hostId = (await cluster.HostAsync())["hostId"]!.GetValue<string>();
        (await cluster.Admin.PostAsync($"/host/{hostId}/terminate", null)).EnsureSuccessStatusCode();
        Assert.That(await agent.WaitForExitAsync(TimeSpan.FromSeconds(60)), Is.Zero, agent.Output);
        foreach (var (_, container) in running)
        {
            Assert.That(await ContainerRunsAsync(container), Is.False, "no container left running");
        }

        var (_, left) = await RunAsync("docker", "ps", "-aq", "--filter", "label=dev.controller.engine-id=" + engineId);
        Assert.That(left.Trim(), Is.Empty, "the containers are removed");
    }
}
