namespace Controller.Domain.Tokens;

public enum TokenKind
{
    Admin,
    Registration,
    Host,
    EngineInstance,

    /// <summary>Submits and reads tasks, nothing else.</summary>
    Client,

    /// <summary>Reads metrics, nothing else.</summary>
    Viewer,
}
