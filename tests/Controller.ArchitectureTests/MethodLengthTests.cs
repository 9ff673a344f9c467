using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Controller.ArchitectureTests;

/// <summary>
/// No production method (constructors, accessors, local functions and a program's top-level statements included) is
/// longer than <see cref="MostLines"/> lines: a composition root is split by feature like any other code. Generated
/// migrations are not counted. The rule is also run on a deliberately long method, which it must find.
/// </summary>
public sealed class MethodLengthTests
{
    private const int MostLines = 60;

    private static readonly string[] Projects = ["Controller.Domain", "Controller.Application", "Controller.Infrastructure", "Controller.Api"];

    /// <summary>Each member longer than <paramref name="most"/> lines, as "file:line name (lines)".</summary>
    public static IEnumerable<string> LongerThan(string path, string source, int most)
    {
        var root = CSharpSyntaxTree.ParseText(source).GetRoot();
        var members = root.DescendantNodes().Where(n => n is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or LocalFunctionStatementSyntax);
        foreach (var member in members)
        {
            var lines = Lines(member);
            if (lines > most)
            {
                yield return $"{path}:{member.GetLocation().GetLineSpan().StartLinePosition.Line + 1} {Name(member)} ({lines})";
            }
        }

        var topLevel = root.ChildNodes().OfType<GlobalStatementSyntax>().ToList();
        if (topLevel.Count > 0 && topLevel.Sum(Lines) > most)
        {
            yield return $"{path} top-level statements ({topLevel.Sum(Lines)})";
        }
    }

    private static int Lines(SyntaxNode node)
    {
        var span = node.GetLocation().GetLineSpan();
        return span.EndLinePosition.Line - span.StartLinePosition.Line + 1;
    }

    private static string Name(SyntaxNode member) => member switch
    {
        MethodDeclarationSyntax m => m.Identifier.Text,
        ConstructorDeclarationSyntax c => c.Identifier.Text,
        LocalFunctionStatementSyntax l => l.Identifier.Text,
        _ => member.Kind().ToString(),
    };

    [Test]
    public void NoProductionMethod_IsLongerThanSixtyLines()
    {
        var repository = Controller.ArchitectureTests.Repository.Root();
        var sep = Path.DirectorySeparatorChar;
        var files = Projects
            .SelectMany(p => Directory.EnumerateFiles(Path.Combine(repository, p), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{sep}obj{sep}", StringComparison.Ordinal) && !f.Contains($"{sep}bin{sep}", StringComparison.Ordinal)
                && !f.Contains($"{sep}Migrations{sep}", StringComparison.Ordinal))
            .ToList();
        Assert.That(files, Has.Count.GreaterThan(100), "the sources were found");

        var tooLong = files.SelectMany(f => LongerThan(Path.GetRelativePath(repository, f), File.ReadAllText(f), MostLines)).ToList();

        Assert.That(tooLong, Is.Empty);
    }

    [Test]
    public void Rule_FindsALongMethod_AndLongTopLevelStatements()
    {
        var body = string.Concat(Enumerable.Repeat("        x++;\n", MostLines));
        var source = $"class C\n{{\n    void Long()\n    {{\n        var x = 0;\n{body}    }}\n\n    void Short() {{ }}\n}}\n";
        var program = string.Concat(Enumerable.Repeat("System.Console.WriteLine();\n", MostLines + 1));

        Assert.That(LongerThan("c.cs", source, MostLines), Is.EqualTo(new[] { $"c.cs:3 Long ({MostLines + 4})" }));
        Assert.That(LongerThan("Program.cs", program, MostLines), Is.EqualTo(new[] { $"Program.cs top-level statements ({MostLines + 1})" }));
    }
}
