using System.ComponentModel.DataAnnotations;

namespace Controller.Application.Common.Options;

/// <summary>The <c>Tokens</c> configuration section.</summary>
public sealed class TokenOptions
{
    public const string SectionName = "Tokens";

    /// <summary>How long a host's previous tokens keep working once the new token has been used.</summary>
    [Range(0, 86_400)]
    public int RotationOverlapSeconds { get; set; } = 60;

    /// <summary>
    /// How long a host's previous tokens keep working at most after a rotation whose new token is never used (its
    /// answer was lost): the agent can repeat the rotation with its old token meanwhile.
    /// </summary>
    [Range(0, 30 * 86_400)]
    public int RotationPickupSeconds { get; set; } = 86_400;
}
