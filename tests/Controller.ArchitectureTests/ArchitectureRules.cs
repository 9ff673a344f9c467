using System.Reflection;
using Mono.Cecil;
using Mono.Cecil.Cil;
using NetArchTest.Rules;

namespace Controller.ArchitectureTests;

/// <summary>
/// The house rules as functions of an assembly and a namespace, so that each can be run against the real layers and
/// against the deliberately bad types in <c>BadExamples</c> (which shows that it can fail).
/// </summary>
public static class ArchitectureRules
{
    private static readonly (string Type, string Member)[] ClockReads =
    [
        ("System.DateTime", "get_Now"), ("System.DateTime", "get_UtcNow"), ("System.DateTime", "get_Today"),
        ("System.DateTimeOffset", "get_Now"), ("System.DateTimeOffset", "get_UtcNow"),
        ("System.TimeProvider", "GetUtcNow"), ("System.TimeProvider", "GetLocalNow"),
    ];

    /// <summary>Types under <paramref name="namespacePrefix"/> that depend on the Infrastructure layer (only the composition root may).</summary>
    public static IReadOnlyList<string> UsersOfInfrastructure(Assembly assembly, string namespacePrefix) =>
        Failing(Types.InAssembly(assembly).That().ResideInNamespaceStartingWith(namespacePrefix)
            .ShouldNot().HaveDependencyOn("Controller.Infrastructure").GetResult());

    /// <summary>Types under <paramref name="namespacePrefix"/> that depend on any of <paramref name="layers"/>.</summary>
    public static IReadOnlyList<string> UsersOf(Assembly assembly, string namespacePrefix, params string[] layers) =>
        Failing(Types.InAssembly(assembly).That().ResideInNamespaceStartingWith(namespacePrefix)
            .ShouldNot().HaveDependencyOnAny(layers).GetResult());

    /// <summary>Types under <paramref name="namespacePrefix"/> that use the after-commit hook (only the view implementing it, and its registration, may).</summary>
    public static IReadOnlyList<string> UsersOfTheCommitHook(Assembly assembly, string namespacePrefix) =>
        [.. Failing(Types.InAssembly(assembly).That().ResideInNamespaceStartingWith(namespacePrefix)
            .ShouldNot().HaveDependencyOn("Controller.Application.Common.Interfaces.IClusterChanges").GetResult())
            .Select(name => name.Split('+')[0]).Distinct()];

    /// <summary>Methods (lambdas included) of the selected types that read a clock instead of being given the time.</summary>
    public static IReadOnlyList<string> ClockReaders(Assembly assembly, Func<TypeDefinition, bool> select)
    {
        using var module = ModuleDefinition.ReadModule(assembly.Location);
        var found = new List<string>();
        foreach (var type in module.GetTypes().Where(t => select(Outermost(t))))
        {
            foreach (var method in type.Methods.Where(m => m.HasBody))
            {
                foreach (var instruction in method.Body.Instructions)
                {
                    if (instruction.OpCode.Code is Code.Call or Code.Callvirt && instruction.Operand is MethodReference called
                        && ClockReads.Contains((called.DeclaringType.FullName, called.Name)))
                    {
                        found.Add($"{type.FullName}.{method.Name} reads {called.DeclaringType.Name}.{called.Name}");
                    }
                }
            }
        }

        return found;
    }

    /// <summary>Public methods of the selected types that only persistence should call (anything that moves a version).</summary>
    public static IReadOnlyList<string> PublicPersistenceHooks(Assembly assembly, string namespacePrefix) =>
        [.. assembly.GetTypes()
            .Where(t => t.Namespace?.StartsWith(namespacePrefix, StringComparison.Ordinal) == true)
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(m => !m.IsSpecialName && m.Name.Contains("Version", StringComparison.Ordinal))
                .Select(m => $"{t.FullName}.{m.Name}"))];

    public static bool IsValidator(TypeDefinition type)
    {
        for (var t = type.BaseType; t is not null; t = t.Resolve()?.BaseType)
        {
            if (t.Namespace == "FluentValidation" && t.Name.StartsWith("AbstractValidator", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Classes whose widest constructor takes more than <paramref name="most"/> parameters: services with too many
    /// collaborators (records, which carry data, and compiler-generated types are not counted).
    /// </summary>
    public static IReadOnlyList<string> WithMoreDependenciesThan(Assembly assembly, string namespacePrefix, int most) =>
        [.. assembly.GetTypes()
            .Where(t => t.IsClass && t.Namespace?.StartsWith(namespacePrefix, StringComparison.Ordinal) == true)
            .Where(t => !t.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute), inherit: false))
            .Where(t => t.GetMethod("<Clone>$") is null)
            .Select(t => (Type: t, Count: t.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance).Select(c => c.GetParameters().Length).DefaultIfEmpty(0).Max()))
            .Where(t => t.Count > most)
            .Select(t => $"{t.Type.FullName} ({t.Count})")];

    /// <summary>
    /// Namespaces under <paramref name="namespacePrefix"/> that depend on each other in a cycle (each line one cycle, its
    /// namespaces sorted). A type depends on a namespace when its signatures, fields, attributes or method bodies name a
    /// type of it; a compiler-generated nested type counts for the type that declares it.
    /// </summary>
    public static IReadOnlyList<string> NamespaceCycles(Assembly assembly, string namespacePrefix)
    {
        using var module = ModuleDefinition.ReadModule(assembly.Location);
        var edges = new Dictionary<string, HashSet<string>>();
        foreach (var type in module.GetTypes())
        {
            var from = Outermost(type).Namespace;
            if (!from.StartsWith(namespacePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var targets = edges.TryGetValue(from, out var known) ? known : edges[from] = [];
            foreach (var used in Referenced(type))
            {
                var to = NamespaceOf(used);
                if (to != from && to.StartsWith(namespacePrefix, StringComparison.Ordinal))
                {
                    targets.Add(to);
                }
            }
        }

        return [.. StronglyConnected(edges).Where(c => c.Count > 1).Select(c => string.Join(" <-> ", c.Order(StringComparer.Ordinal))).Order(StringComparer.Ordinal)];
    }

    private static string NamespaceOf(TypeReference type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type.Namespace;
    }

    private static List<TypeReference> Referenced(TypeDefinition type)
    {
        IEnumerable<TypeReference> Expand(TypeReference? t) => t switch
        {
            null => [],
            GenericInstanceType g => [g.ElementType, .. g.GenericArguments.SelectMany(Expand)],
            TypeSpecification s => Expand(s.ElementType),
            _ => [t],
        };

        var found = new List<TypeReference>();
        found.AddRange(Expand(type.BaseType));
        found.AddRange(type.Interfaces.SelectMany(i => Expand(i.InterfaceType)));
        found.AddRange(type.Fields.SelectMany(f => Expand(f.FieldType)));
        found.AddRange(type.Properties.SelectMany(p => Expand(p.PropertyType)));
        found.AddRange(type.CustomAttributes.SelectMany(a => Expand(a.AttributeType)));
        foreach (var method in type.Methods)
        {
            found.AddRange(Expand(method.ReturnType));
            found.AddRange(method.Parameters.SelectMany(p => Expand(p.ParameterType)));
            if (!method.HasBody)
            {
                continue;
            }

            found.AddRange(method.Body.Variables.SelectMany(v => Expand(v.VariableType)));
            foreach (var instruction in method.Body.Instructions)
            {
                found.AddRange(instruction.Operand switch
                {
                    TypeReference t => Expand(t),
                    MethodReference m => [.. Expand(m.DeclaringType), .. Expand(m.ReturnType), .. m.Parameters.SelectMany(p => Expand(p.ParameterType))],
                    FieldReference f => [.. Expand(f.DeclaringType), .. Expand(f.FieldType)],
                    _ => [],
                });
            }
        }

        return found;
    }

    /// <summary>Tarjan's strongly connected components.</summary>
    private static List<List<string>> StronglyConnected(Dictionary<string, HashSet<string>> edges)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var components = new List<List<string>>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in edges.GetValueOrDefault(node) ?? [])
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next) && index.TryGetValue(next, out var at))
                {
                    low[node] = Math.Min(low[node], at);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);
                components.Add(component);
            }
        }

        foreach (var node in edges.Keys.ToList())
        {
            if (!index.ContainsKey(node))
            {
                Visit(node);
            }
        }

        return components;
    }

    private static TypeDefinition Outermost(TypeDefinition type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type;
    }

    private static IReadOnlyList<string> Failing(TestResult result) => result.IsSuccessful ? [] : [.. result.FailingTypeNames ?? []];
}
