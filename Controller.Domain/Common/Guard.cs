namespace Controller.Domain.Common;

internal static class Guard
{
    public static string NotBlank(string? value, string field, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new DomainException("invalid_value", $"'{field}' must not be empty.", new Dictionary<string, object?> { ["field"] = field });
        }

        if (value.Length > maxLength)
        {
            throw new DomainException("invalid_value", $"'{field}' must be at most {maxLength} characters.", new Dictionary<string, object?> { ["field"] = field });
        }

        return value;
    }

    public static Resources NonNegative(Resources resources, string field)
    {
        if (resources.IsNegative)
        {
            throw new DomainException("invalid_value", $"'{field}' must not be negative.", new Dictionary<string, object?> { ["field"] = field });
        }

        return resources;
    }
}
