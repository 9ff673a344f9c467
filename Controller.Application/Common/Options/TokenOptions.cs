using System.ComponentModel.DataAnnotations;

namespace Controller.Application.Common.Options;

/// <summary>The <c>Tokens</c> configuration section.</summary>
public sealed class TokenOptions
{
    public const string SectionName = "Tokens";

    /// <summary>How long a host's previous token keeps working after a rotation.</summary>
    [Range(0, 86_400)]
    public int RotationOverlapSeconds { get; set; } = 60;
}
