using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Controller.Api.Errors;

/// <summary>
/// Turns the JSON reader's and serializer's messages into ones that say what to fix — the expected type, the allowed
/// values of an enum, the unknown field, the line and byte of a syntax error — without echoing .NET type names.
/// </summary>
public static partial class JsonErrorMessages
{
    private static readonly ConcurrentDictionary<string, string> Described = new(StringComparer.Ordinal);

    public static string Explain(string? message)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            return "The value is not valid.";
        }

        var where = Position().Match(message) is { Success: true } p
            ? $" (line {int.Parse(p.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture) + 1}, byte {p.Groups["byte"].Value})"
            : string.Empty;

        if (ConvertedTo().Match(message) is { Success: true } converted)
        {
            // The serializer names the type it was reading, which for a record is the object holding the bad field.
            var typeName = converted.Groups["type"].Value;
            var field = PathOf().Match(message) is { Success: true } path ? LastSegment(path.Groups["path"].Value) : null;
            return $"Expected {Describe(FieldType(typeName, field) ?? typeName)}{where}.";
        }

        if (UnknownMember().Match(message) is { Success: true } unknown)
        {
            return $"Unknown field '{unknown.Groups["name"].Value}': this endpoint accepts only the fields it documents{where}.";
        }

        if (MissingRequired().Match(message) is { Success: true } missing)
        {
            return $"Missing required field(s): {missing.Groups["names"].Value}{where}.";
        }

        // A syntax error: the reader's sentence (it names no type), without its "Path: ..." tail.
        var sentence = message.Split(" Path:", 2)[0].Trim();
        sentence = TypeName().Replace(sentence, m => Describe(m.Value));
        return $"Not valid JSON: {sentence.TrimEnd('.')}{where}.";
    }

    private static string? LastSegment(string path)
    {
        var last = path.Split('.').Last();
        var bracket = last.IndexOf('[', StringComparison.Ordinal);
        return bracket >= 0 ? (bracket == 0 ? null : last[..bracket]) : last;
    }

    /// <summary>The type of <paramref name="field"/> on the named type, when the named type is the object that holds it.</summary>
    private static string? FieldType(string typeName, string? field)
    {
        if (field is null || Find(typeName) is not { } holder || holder.IsEnum || holder.IsPrimitive)
        {
            return null;
        }

        var property = holder.GetProperty(field, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.IgnoreCase);
        return property?.PropertyType is { } t ? (Nullable.GetUnderlyingType(t) ?? t).FullName : null;
    }

    /// <summary>What a value of the named .NET type looks like on the wire.</summary>
    private static string Describe(string typeName) => Described.GetOrAdd(typeName, static name =>
    {
        var inner = NullableOf().Match(name) is { Success: true } n ? n.Groups["inner"].Value : name;
        var type = Find(inner);
        if (type is { IsEnum: true })
        {
            var values = Enum.GetNames(type).Select(JsonNamingPolicy.KebabCaseLower.ConvertName);
            return "one of " + string.Join(", ", values.Select(v => $"\"{v}\""));
        }

        return inner switch
        {
            "System.Int32" => "an integer from -2147483648 to 2147483647 (a JSON number, not a string)",
            "System.Int64" => "an integer (a JSON number, not a string)",
            "System.Double" or "System.Decimal" or "System.Single" => "a number",
            "System.Boolean" => "true or false",
            "System.String" => "a string",
            "System.Guid" => "a UUID such as \"0193a4f2-7c1e-7a10-8a3b-4c2d1e0f9a88\"",
            "System.DateTimeOffset" or "System.DateTime" => "an ISO 8601 date-time such as \"2030-01-01T00:00:00Z\"",
            _ when inner.Contains("Dictionary", StringComparison.Ordinal) => "an object whose values are strings",
            _ when inner.Contains("List", StringComparison.Ordinal) || inner.EndsWith("[]", StringComparison.Ordinal) => "an array",
            _ when type?.IsPrimitive == false || inner.StartsWith("Controller.", StringComparison.Ordinal) => "an object",
            _ => "another kind of value",
        };
    });

    private static Type? Find(string name) =>
        AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => a.GetName().Name?.StartsWith("Controller.", StringComparison.Ordinal) == true || a == typeof(int).Assembly)
            .Select(a => a.GetType(name, throwOnError: false))
            .FirstOrDefault(t => t is not null);

    [GeneratedRegex(@"LineNumber: (?<line>\d+) \| BytePositionInLine: (?<byte>\d+)")]
    private static partial Regex Position();

    [GeneratedRegex(@"could not be converted to (?<type>[^ ]+?)\.? Path:")]
    private static partial Regex ConvertedTo();

    [GeneratedRegex(@"Path: (?<path>\S+) \|")]
    private static partial Regex PathOf();

    [GeneratedRegex(@"The JSON property '(?<name>[^']*)' could not be mapped")]
    private static partial Regex UnknownMember();

    [GeneratedRegex(@"missing required properties including: (?<names>.+?)\.? Path:")]
    private static partial Regex MissingRequired();

    [GeneratedRegex(@"System\.Nullable`1\[\[?(?<inner>[^,\]]+)")]
    private static partial Regex NullableOf();

    [GeneratedRegex(@"(System|Controller)\.[A-Za-z0-9_.`\[\], =]+")]
    private static partial Regex TypeName();
}
