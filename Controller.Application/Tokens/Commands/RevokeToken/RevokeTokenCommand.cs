using Mediator;

namespace Controller.Application.Tokens.Commands.RevokeToken;

/// <summary>Revoke a token: it stops working at once on this replica and within seconds on every other.</summary>
public sealed record RevokeTokenCommand(Guid TokenId) : ICommand;
