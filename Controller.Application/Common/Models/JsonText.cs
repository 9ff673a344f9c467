using System.Text.Json;
using System.Text.Json.Serialization;

namespace Controller.Application.Common.Models;

/// <summary>The JSON shape used for what the controller stores as text (status reports and answers).</summary>
public static class JsonText
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false) },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>A JSON value as compact text (task payloads and results are kept so).</summary>
    public static string Compact(JsonElement value) => JsonSerializer.Serialize(value);

    public static JsonElement? Parse(string? json)
    {
        if (json is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
