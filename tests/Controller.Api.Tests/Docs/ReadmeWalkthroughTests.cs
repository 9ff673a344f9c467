using System.Diagnostics;
using Controller.Api.Tests.Infrastructure;

namespace Controller.Api.Tests.Docs;

/// <summary>The README's curl walkthrough, read literally: run with bash, curl and jq against a started controller.</summary>
public sealed class ReadmeWalkthroughTests
{
    private static string Walkthrough(string readme)
    {
        var start = readme.IndexOf("<!-- walkthrough:start -->", StringComparison.Ordinal);
        var end = readme.IndexOf("<!-- walkthrough:end -->", StringComparison.Ordinal);
        Assert.That(start, Is.GreaterThanOrEqualTo(0).And.LessThan(end), "the README marks its walkthrough");
        var block = readme[start..end];
        var code = block.IndexOf("```sh\n", StringComparison.Ordinal) + "```sh\n".Length;
        return block[code..block.LastIndexOf("```", StringComparison.Ordinal)];
    }

    [Test]
    public async Task Walkthrough_RunAsWritten_EveryStepSucceedsAndTheHostEndsTerminated()
    {
        var root = RepositoryFiles.Root();
        var script = Walkthrough(await File.ReadAllTextAsync(Path.Combine(root, "README.md")));
        var data = Path.Combine(Path.GetTempPath(), "controller-tests", "readme-" + Guid.NewGuid().ToString("N"));
        using var controller = await ControllerProcess.StartAsync(ControllerProcess.FreePort(), data,
            ["--Scheduling:HostLostAfterSeconds=3600", "--Scheduling:LaunchTimeoutSeconds=3600", "--Scheduling:StartTimeoutSeconds=3600",
             "--Scheduling:InstanceHeartbeatTimeoutSeconds=3600"]);

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
        await bash.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        var text = await output;
        await TestContext.Out.WriteLineAsync(text);

        Assert.That(bash.ExitCode, Is.Zero, $"the walkthrough stopped (curl -f fails on any non-2xx):\n{text}\n{await errors}");
        Assert.That(text, Does.Contain("\"state\":\"running\""), "the engine registered");
        Assert.That(text, Does.Contain("\"scaled_down\""), "scaling down terminated a copy");
        Assert.That(text, Does.Contain("{\"mode\":\"terminate\"}"));
        Assert.That(text, Does.Contain("{\"state\":\"terminated\"}"));
        Assert.That(text.TrimEnd(), Does.EndWith("host.registered host.draining host.undrained host.terminating host.terminated"), "the event feed tells the host's life");
        Assert.That(text, Does.Not.Contain("ctl_"), "no secret is printed by the walkthrough");
        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (IOException)
        {
            // left to the temp folder
        }
    }
}
