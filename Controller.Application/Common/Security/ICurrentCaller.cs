using Controller.Domain.Tokens;

namespace Controller.Application.Common.Security;

/// <summary>Who is calling: the authenticated token, its kind and what it is bound to.</summary>
public interface ICurrentCaller
{
    Guid? TokenId { get; }

    string? TokenName { get; }

    TokenKind? Kind { get; }

    Guid? HostId { get; }

    Guid? EngineInstanceId { get; }
}
