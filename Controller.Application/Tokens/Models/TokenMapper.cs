using Controller.Domain.Tokens;
using Riok.Mapperly.Abstractions;

namespace Controller.Application.Tokens.Models;

[Mapper(RequiredMappingStrategy = RequiredMappingStrategy.Target)]
public static partial class TokenMapper
{
    [MapProperty(nameof(Token.Id), nameof(TokenDto.TokenId))]
    public static partial TokenDto ToDto(this Token token);
}
