using System.Text.Json;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Controller.Infrastructure.Persistence;

/// <summary>Stores a small collection as one JSON text column, portable across providers.</summary>
internal static class JsonValue
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static PropertyBuilder<T> HasJsonConversion<T>(this PropertyBuilder<T> property, ValueComparer<T>? comparer = null)
        where T : class?
    {
        property.HasConversion(v => Serialize(v), s => Deserialize<T>(s), comparer ?? JsonComparer<T>());
        return property;
    }

    /// <summary>Compares lists element by element and snapshots them by copying (no JSON round trip per tracked row).</summary>
    public static ValueComparer<List<TItem>> ListComparer<TItem>() => new(
        (a, b) => a == null ? b == null : b != null && a.SequenceEqual(b),
        v => v.Aggregate(0, (hash, item) => HashCode.Combine(hash, item)),
        v => new List<TItem>(v));

    /// <summary>As <see cref="ListComparer{TItem}"/>, for a column that may be null.</summary>
    public static ValueComparer<List<TItem>?> NullableListComparer<TItem>() => new(
        (a, b) => a == null ? b == null : b != null && a.SequenceEqual(b),
        v => v == null ? 0 : v.Aggregate(0, (hash, item) => HashCode.Combine(hash, item)),
        v => v == null ? null : new List<TItem>(v));

    public static ValueComparer<Dictionary<string, string>> DictionaryComparer() => new(
        (a, b) => a == null ? b == null : b != null && a.Count == b.Count && !a.Except(b).Any(),
        v => v.Aggregate(0, (hash, kv) => hash ^ HashCode.Combine(kv.Key, kv.Value)),
        v => new Dictionary<string, string>(v, StringComparer.Ordinal));

    private static ValueComparer<T> JsonComparer<T>() => new(
        (a, b) => Serialize(a) == Serialize(b),
        v => Serialize(v).GetHashCode(StringComparison.Ordinal),
        v => Deserialize<T>(Serialize(v)));

    private static string Serialize<T>(T? value) => JsonSerializer.Serialize(value, Options);

    private static T Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, Options)!;
}
