namespace Controller.Domain.Tokens;

public enum TokenKind
{
    Admin,
    Registration,
    Host,
    EngineInstance,
}
