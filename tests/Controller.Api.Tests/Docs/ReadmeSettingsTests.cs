using System.Reflection;
using System.Text.RegularExpressions;
using Controller.Api.Tests.Infrastructure;
using Controller.Application.Common.Options;

namespace Controller.Api.Tests.Docs;

/// <summary>
/// The scheduling and work settings an operator can set are exactly those the README documents, and there are few of
/// them: what the code can decide itself (batching, retries, internal ages) is not a configuration key.
/// </summary>
public sealed partial class ReadmeSettingsTests
{
    /// <summary>At most this many documented <c>Scheduling:</c> and <c>Work:</c> keys.</summary>
    private const int MostKeys = 20;

    // A settings row: | `Scheduling:Name` | ... or | `Scheduling:First` / `Second` | ...
    [GeneratedRegex(@"^\| `(?<section>Scheduling|Work):(?<first>\w+)`(?: / `(?<second>\w+)`)? \|", RegexOptions.Multiline)]
    private static partial Regex SettingRow();

    private static List<string> Documented() =>
        [.. SettingRow().Matches(File.ReadAllText(RepositoryFiles.Path("README.md")))
            .SelectMany(m => new[] { m.Groups["first"], m.Groups["second"] }.Where(g => g.Success).Select(g => $"{m.Groups["section"].Value}:{g.Value}"))];

    /// <summary>The keys configuration binds: public properties with public setters.</summary>
    private static List<string> Bound() =>
        [.. new[] { (SchedulingOptions.SectionName, typeof(SchedulingOptions)), (WorkOptions.SectionName, typeof(WorkOptions)) }
            .SelectMany(s => s.Item2.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.SetMethod is { IsPublic: true })
                .Select(p => $"{s.Item1}:{p.Name}"))];

    [Test]
    public void EveryKeyAnOperatorCanSet_IsDocumented_AndEveryDocumentedKeyExists()
    {
        var documented = Documented();
        var bound = Bound();
        Assert.Multiple(() =>
        {
            Assert.That(bound.Except(documented), Is.Empty, "settable but not in the README");
            Assert.That(documented.Except(bound), Is.Empty, "in the README but not a setting");
        });
    }

    [Test]
    public void TheDocumentedTuningKeys_AreFew()
    {
        Assert.That(Documented(), Has.Count.LessThanOrEqualTo(MostKeys));
    }
}
