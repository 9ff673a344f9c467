using System.Globalization;

namespace Controller.Api.Dashboard;

/// <summary>How the dashboard writes times and sizes: culture-independent, UTC.</summary>
public static class Display
{
    public static string Time(DateTimeOffset? at) =>
        at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC" : "—";

    public static string Ago(DateTimeOffset at, DateTimeOffset now)
    {
        var s = Math.Max(0, (now - at).TotalSeconds);
        return s switch
        {
            < 90 => string.Create(CultureInfo.InvariantCulture, $"{s:0} s ago"),
            < 5400 => string.Create(CultureInfo.InvariantCulture, $"{s / 60:0} min ago"),
            < 172_800 => string.Create(CultureInfo.InvariantCulture, $"{s / 3600:0} h ago"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{s / 86400:0} d ago"),
        };
    }

    public static string Number(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    /// <summary>A count with its noun in the right number: "1 copy", "2 copies", "0 GPUs" (English plurals, one rule for every page).</summary>
    public static string Count(long value, string singular, string? plural = null) => Controller.Domain.Common.Wording.Count(value, singular, plural);

    public static string Percent(long used, long total) =>
        total <= 0 ? "—" : string.Create(CultureInfo.InvariantCulture, $"{100.0 * used / total:0}%");

    /// <summary>0..100, for an SVG width.</summary>
    public static string Fraction(long used, long total) =>
        total <= 0 ? "0" : Math.Clamp(100.0 * used / total, 0, 100).ToString("0.#", CultureInfo.InvariantCulture);

    public static string Lower(object value) => value.ToString()!.ToLowerInvariant();

    public static string ShortId(Guid id) => id.ToString("N")[^8..];

    public static string Coordinate(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
