using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Controller.ArchitectureTests;

/// <summary>
/// One house style for use cases: a command or query, its handler and its validator each in a file of its own, named
/// after it, in the use case's folder (<c>Feature/Commands/DoThing/DoThingCommand.cs</c>, <c>…Handler.cs</c>,
/// <c>…Validator.cs</c>); the types a command or query answers may stand beside it. The rule is also run on files that
/// break it, which it must find.
/// </summary>
public sealed class UseCaseLayoutTests
{
    private static readonly string[] Suffixes = ["CommandHandler", "QueryHandler", "CommandValidator", "QueryValidator", "Command", "Query"];

    /// <summary>Use-case types of <paramref name="source"/> not alone in a file named after them, or not in their use case's folder.</summary>
    public static IEnumerable<string> Misplaced(string path, string source)
    {
        var folder = Path.GetFileName(Path.GetDirectoryName(path)) ?? string.Empty;
        var useCaseTypes = CSharpSyntaxTree.ParseText(source).GetRoot().DescendantNodes().OfType<TypeDeclarationSyntax>()
            .Where(t => t is ClassDeclarationSyntax or RecordDeclarationSyntax && t.Parent is BaseNamespaceDeclarationSyntax or CompilationUnitSyntax)
            .Select(t => (Name: t.Identifier.Text, Suffix: Suffixes.FirstOrDefault(s => t.Identifier.Text.EndsWith(s, StringComparison.Ordinal))))
            .Where(t => t.Suffix is not null)
            .ToList();
        foreach (var (type, suffix) in useCaseTypes)
        {
            // Its own result types may stand beside a command or query; another command, query, handler or validator may not.
            var useCase = type[..^suffix!.Length];
            if (Path.GetFileNameWithoutExtension(path) != type || useCaseTypes.Count > 1 || folder != useCase)
            {
                yield return $"{path}: {type}";
            }
        }
    }

    [Test]
    public void EveryCommandQueryHandlerAndValidator_IsAloneInAFileNamedAfterIt_InItsUseCasesFolder()
    {
        var root = Path.Combine(Repository.Root(), "Controller.Application");
        var sep = Path.DirectorySeparatorChar;
        var misplaced = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{sep}obj{sep}", StringComparison.Ordinal) && !f.Contains($"{sep}bin{sep}", StringComparison.Ordinal))
            .SelectMany(f => Misplaced(Path.GetRelativePath(root, f), File.ReadAllText(f)))
            .ToList();

        Assert.That(misplaced, Is.Empty);
    }

    [Test]
    public void Rule_FindsAUseCaseSharingAFile_AndOneOutsideItsFolder()
    {
        const string shared = "namespace X;\npublic sealed record DoThingCommand;\npublic sealed class DoThingCommandHandler { }\n";
        const string alone = "namespace X;\npublic sealed record DoThingCommand;\npublic sealed record DoThingResult;\n";

        Assert.That(Misplaced("Things/Commands/DoThing/DoThingCommand.cs", shared), Is.EqualTo(new[]
        {
            "Things/Commands/DoThing/DoThingCommand.cs: DoThingCommand", "Things/Commands/DoThing/DoThingCommand.cs: DoThingCommandHandler",
        }));
        Assert.That(Misplaced("Things/DoThingCommand.cs", alone), Is.EqualTo(new[] { "Things/DoThingCommand.cs: DoThingCommand" }));
        Assert.That(Misplaced("Things/Commands/DoThing/DoThingCommand.cs", alone), Is.Empty);
    }
}
