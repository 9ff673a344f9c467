using Controller.Api.Tests.Infrastructure;

namespace Controller.Api.Tests.Docs;

/// <summary>The README's curl walkthrough, read literally: run with bash, curl and jq against a started controller.</summary>
public sealed class ReadmeWalkthroughTests
{
    [Test]
    public async Task Walkthrough_RunAsWritten_Twice_EveryStepSucceedsAndTheHostEndsTerminated()
    {
        var script = await ReadmeScript.BlockAsync("walkthrough");
        var data = Path.Combine(Path.GetTempPath(), "controller-tests", "readme-" + Guid.NewGuid().ToString("N"));
        using var controller = await ControllerProcess.StartAsync(ControllerProcess.FreePort(), data,
            ["--Scheduling:HostLostAfterSeconds=3600", "--Scheduling:LaunchTimeoutSeconds=3600", "--Scheduling:StartTimeoutSeconds=3600",
             "--Scheduling:InstanceHeartbeatTimeoutSeconds=3600"]);

        for (var run = 1; run <= 2; run++)
        {
            var (exitCode, text, errors) = await ReadmeScript.RunAsync(script, controller, TimeSpan.FromMinutes(2));
            AssertRan(run, exitCode, text, errors);

            // The engine's name carries the run's time (in seconds): the second run starts in another second.
            await Task.Delay(TimeSpan.FromSeconds(1.1));
        }

        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (IOException)
        {
            // left to the temp folder
        }
    }

    private static void AssertRan(int run, int exitCode, string text, string errors)
    {
        Assert.That(exitCode, Is.Zero, $"run {run}: the walkthrough stopped (curl --fail-with-body fails on any non-2xx):\n{text}\n{errors}");
        Assert.That(text, Does.Contain("\"state\":\"running\""), "the engine registered");
        Assert.That(text, Does.Contain("{\"action\":\"process\",\"payloads\":[{\"uri\":\"s3://bucket/b.wav\"}]}"), "the long poll was answered with the task queued while it was held");
        Assert.That(text, Does.Contain("\"scaled_down\""), "scaling down terminated a copy");
        Assert.That(text, Does.Contain("{\"mode\":\"terminate\"}"));
        Assert.That(text, Does.Contain("{\"state\":\"terminated\"}"));
        Assert.That(text.TrimEnd(), Does.EndWith("host.registered host.draining host.undrained host.terminating host.terminated"), "the event feed tells the host's life");
        Assert.That(text, Does.Not.Contain("ctl_"), "no secret is printed by the walkthrough");
    }
}
