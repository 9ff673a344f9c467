using Controller.Api.Tests.Infrastructure;

namespace Controller.Api.Tests.Docs;

/// <summary>
/// The README's "cluster on one machine" blocks, run literally with bash, curl and jq against a controller process:
/// an agent started from the README runs the sample engine (as processes, then in Docker when a Docker engine runs).
/// </summary>
public sealed class ReadmeClusterTests
{
    [Test]
    [CancelAfter(600_000)]
    public async Task ClusterSection_RunAsWritten_EnginesStartedByTheAgentDoTheTasks()
    {
        var docker = File.Exists("/var/run/docker.sock");
        var script = await ReadmeScript.BlockAsync("cluster") + (docker ? await ReadmeScript.BlockAsync("cluster-docker") : string.Empty);
        var data = Path.Combine(Path.GetTempPath(), "controller-tests", "readme-cluster-" + Guid.NewGuid().ToString("N"));
        using var controller = await ControllerProcess.StartAsync(ControllerProcess.FreePort(), data, ["--Scheduling:StatusIntervalSeconds=1"]);

        var (exitCode, text, errors) = await ReadmeScript.RunAsync(script, controller, TimeSpan.FromMinutes(5));
        Assert.That(exitCode, Is.Zero, $"the section stopped (curl -f fails on any non-2xx):\n{text}\n{errors}");
        Assert.That(text, Does.Contain("\"containerId\":\"pid-"), "the copies are processes");
        Assert.That(text, Does.Contain("{\"text\":\"the quick brown fox\",\"words\":4}"));
        Assert.That(text, Does.Contain("instance.running"));
        Assert.That(text, Does.Contain("{\"revision\":2}").And.Contain("{\"revisions\":[2,2]}"), "the rolling update replaced both copies");
        Assert.That(text, Does.Contain("{\"slow\":\"succeeded\",\"attempts\":1}"), "the slow task was finished by the copy that held it");
        Assert.That(text, Does.Contain("the engine processes are gone"));
        Assert.That(text, Does.Contain("the agent exited 0"));
        if (docker)
        {
            Assert.That(text, Does.Contain("\"result\":{\"words\":4"), "the container counted the words");
            Assert.That(text, Does.Contain("containers left: 0"));
        }
        else if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.Fail("No Docker engine: the README's Docker block was not run (scripts/test.sh starts one in CI).");
        }

        Assert.That(text, Does.Not.Contain("ctl_"), "no secret is printed");
    }
}
