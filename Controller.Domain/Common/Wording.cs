using System.Globalization;

namespace Controller.Domain.Common;

/// <summary>How messages write counts: the noun in the right number ("1 copy", "2 copies", "0 GPUs"), one rule everywhere.</summary>
public static class Wording
{
    public static string Count(long value, string singular, string? plural = null) =>
        value.ToString("#,0", CultureInfo.InvariantCulture) + " " + (value == 1 ? singular : plural ?? singular + "s");
}
