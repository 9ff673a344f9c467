using System.Diagnostics;
using Controller.Api.Tests.Infrastructure;

namespace Controller.Api.Tests.Docs;

/// <summary>A README block between <c>&lt;!-- name:start --&gt;</c> and <c>&lt;!-- name:end --&gt;</c>, run literally with bash from the repository's root.</summary>
public static class ReadmeScript
{
    public static async Task<string> BlockAsync(string marker)
    {
        var readme = await File.ReadAllTextAsync(RepositoryFiles.Path("README.md"));
        var start = readme.IndexOf($"<!-- {marker}:start -->", StringComparison.Ordinal);
        var end = readme.IndexOf($"<!-- {marker}:end -->", StringComparison.Ordinal);
        Assert.That(start, Is.GreaterThanOrEqualTo(0).And.LessThan(end), $"the README marks its {marker} block");
        var block = readme[start..end];
        var code = block.IndexOf("```sh\n", StringComparison.Ordinal) + "```sh\n".Length;
        return block[code..block.LastIndexOf("```", StringComparison.Ordinal)];
    }

    /// <summary>Runs the script (<c>bash -euo pipefail</c>) with <c>CTL</c> and <c>ADMIN</c> set for the controller; its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string script, ControllerProcess controller, TimeSpan within)
    {
        var start = new ProcessStartInfo("bash", ["-euo", "pipefail", "-c", script])
        {
            WorkingDirectory = RepositoryFiles.Root(),
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
            await bash.WaitForExitAsync().WaitAsync(within);
        }
        catch (TimeoutException)
        {
            bash.Kill(entireProcessTree: true);
            throw;
        }

        var text = await output;
        await TestContext.Out.WriteLineAsync(text);
        return (bash.ExitCode, text, await errors);
    }
}
