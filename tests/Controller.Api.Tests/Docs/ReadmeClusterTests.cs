using System.Diagnostics;
using Controller.Api.Tests.Infrastructure;

namespace Controller.Api.Tests.Docs;

/// <summary>
/// The README's "cluster on one machine" blocks, run literally with bash, curl and jq against a controller process:
/// an agent started from the README runs the sample engine (as processes, then in Docker when a Docker engine runs).
/// </summary>
public sealed class ReadmeClusterTests
{
    private static string Block(string readme, string marker)
    {
        var start = readme.IndexOf($"<!-- {marker}:start -->", StringComparison.Ordinal);
        var end = readme.IndexOf($"<!-- {marker}:end -->", StringComparison.Ordinal);
        Assert.That(start, Is.GreaterThanOrEqualTo(0).And.LessThan(end), $"the README marks its {marker} block");
        var block = readme[start..end];
        var code = block.IndexOf("```sh\n", StringComparison.Ordinal) + "```sh\n".Length;
        return block[code..block.LastIndexOf("```", StringComparison.Ordinal)];
    }

    [Test]
    [CancelAfter(600_000)]
    public async Task ClusterSection_RunAsWritten_EnginesStartedByTheAgentDoTheTasks()
    {
        var root = RepositoryFiles.Root();
        var readme = await File.ReadAllTextAsync(Path.Combine(root, "README.md"));
        var docker = File.Exists("/var/run/docker.sock");
        var script = Block(readme, "cluster") + (docker ? Block(readme, "cluster-docker") : string.Empty);
        var data = Path.Combine(Path.GetTempPath(), "controller-tests", "readme-cluster-" + Guid.NewGuid().ToString("N"));
        using var controller = await ControllerProcess.StartAsync(ControllerProcess.FreePort(), data, ["--Scheduling:StatusIntervalSeconds=1"]);

        var start = new ProcessStartInfo("bash", ["-euo", "pipefail", "-c", script])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["CTL"] = controller.BaseAddress.ToString().TrimEnd('/');
        start.Environment["ADMIN"] = ControllerFactory.AdminToken;
        using var bash = Process.Start(start)!;
        var output = bash.StandardOutput.ReadToEndAsync();
        var errors = bash.StandardError.ReadToEndAsync();
        try
        {
            await bash.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        }
        catch (TimeoutException)
        {
            bash.Kill(entireProcessTree: true);
            throw;
        }

        var text = await output;
        await TestContext.Out.WriteLineAsync(text);
        Assert.That(bash.ExitCode, Is.Zero, $"the section stopped (curl -f fails on any non-2xx):\n{text}\n{await errors}");
        Assert.That(text, Does.Contain("\"containerId\":\"pid-"), "the copies are processes");
        Assert.That(text, Does.Contain("{\"text\":\"the quick brown fox\",\"words\":4}"));
        Assert.That(text, Does.Contain("instance.running"));
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
