namespace Controller.Application.Hosts.Commands.RotateHostToken;

/// <summary>The new secret (shown once) and when the previous tokens stop working at the latest (earlier once the new one is used).</summary>
public sealed record RotatedHostToken(Guid HostId, Guid TokenId, string Token, DateTimeOffset PreviousTokensExpireAt);
