using Controller.Application.Tokens.Models;
using Controller.Domain.Tokens;
using Mediator;

namespace Controller.Application.Tokens.Commands.CreateToken;

/// <summary>Issue an admin or registration token.</summary>
public sealed record CreateTokenCommand(TokenKind? Kind, string? Name, DateTimeOffset? ExpiresAt) : ICommand<IssuedTokenDto>;
