using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Security;
using Controller.Application.Tokens.Models;
using Controller.Domain.Tokens;
using Mediator;

namespace Controller.Application.Tokens.Commands.CreateToken;

public sealed class CreateTokenCommandHandler(ITokenRepository tokens, IUnitOfWork unitOfWork, ITokenService tokenService, TimeProvider clock)
    : ICommandHandler<CreateTokenCommand, IssuedTokenDto>
{
    public async ValueTask<IssuedTokenDto> Handle(CreateTokenCommand command, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var secret = tokenService.NewSecret();
        var token = Token.IssueForAdmin(Guid.CreateVersion7(now), command.Kind!.Value, command.Name!, tokenService.Hash(secret), now, command.ExpiresAt);
        tokens.Add(token);
        await unitOfWork.SaveChangesAsync(cancellationToken);
        return new IssuedTokenDto(token.Id, secret, token.Name, token.Kind, token.CreatedAt, token.ExpiresAt);
    }
}
