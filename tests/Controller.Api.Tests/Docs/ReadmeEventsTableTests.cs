using System.Text.RegularExpressions;
using Controller.Api.Tests.Infrastructure;
using Controller.Domain.Events;

namespace Controller.Api.Tests.Docs;

/// <summary>
/// The README's table of events names every event type and every reason the code gives one: the types from
/// <see cref="ClusterEventTypes"/>, the reasons read from the code that raises events (a new reason without a line in
/// the table fails here).
/// </summary>
public sealed partial class ReadmeEventsTableTests
{
    // Where the code names a reason: Fail("x"), MoveTo(..., "x"), RaiseScaled(..., "x"), reason: "x", const string Reason… = "x".
    [GeneratedRegex("""(?:Fail\(|MoveTo\([^;]*?,\s*|RaiseScaled\([^;]*?,\s*|reason:\s*|const string Reason\w*\s*=\s*)"(?<reason>[a-z_]+)"\s*[,);]""")]
    private static partial Regex ReasonInCode();

    private static string Table()
    {
        var readme = File.ReadAllText(RepositoryFiles.Path("README.md"));
        var start = readme.IndexOf("| type | when | `reason` |", StringComparison.Ordinal);
        Assert.That(start, Is.GreaterThanOrEqualTo(0), "the README has the events table");
        var end = readme.IndexOf("\n\n", start, StringComparison.Ordinal);
        return readme[start..end];
    }

    /// <summary>Each reason with the file that names it.</summary>
    private static List<(string File, string Reason)> Reasons() =>
        [.. new[] { "Controller.Domain", "Controller.Application" }
            .SelectMany(project => Directory.EnumerateFiles(RepositoryFiles.Path(project), "*.cs", SearchOption.AllDirectories))
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(file => ReasonInCode().Matches(File.ReadAllText(file)).Select(m => (Path.GetFileName(file), m.Groups["reason"].Value)))
            .Distinct()];

    [Test]
    public void EveryEventType_IsInTheTable()
    {
        var table = Table();
        Assert.That(ClusterEventTypes.All.Where(t => !table.Contains($"`{t}`", StringComparison.Ordinal)), Is.Empty);
    }

    [Test]
    public void EveryReasonTheCodeGives_IsInTheTable()
    {
        var reasons = Reasons();
        Assert.That(reasons.Select(r => r.Reason), Does.Contain("stop_timeout").And.Contain("failures").And.Contain("scaled_down"), "the code is read");
        var table = Table();
        var readme = File.ReadAllText(RepositoryFiles.Path("README.md"));

        // The status round's own reasons name terminate orders for containers the controller does not run (no event):
        // they are listed with the terminate orders; every other reason is an event's.
        var missing = reasons.Where(r => r.File == "StatusReconciler.cs"
                ? !readme.Contains($"`{r.Reason}`", StringComparison.Ordinal)
                : !table.Contains($"`{r.Reason}`", StringComparison.Ordinal))
            .Select(r => $"{r.Reason} ({r.File})");
        Assert.That(missing, Is.Empty);
    }
}
