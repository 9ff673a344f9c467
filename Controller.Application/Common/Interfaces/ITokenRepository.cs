using Controller.Domain.Tokens;

namespace Controller.Application.Common.Interfaces;

public interface ITokenRepository
{
    Task<Token?> FindAsync(Guid tokenId, CancellationToken cancellationToken);

    void Add(Token token);

    /// <summary>Tokens bound to the host that are not revoked.</summary>
    Task<IReadOnlyList<Token>> ListUnrevokedForHostAsync(Guid hostId, CancellationToken cancellationToken);

    /// <summary>Tokens bound to any of the instances that are not revoked.</summary>
    Task<IReadOnlyList<Token>> ListUnrevokedForInstancesAsync(IReadOnlyCollection<Guid> instanceIds, CancellationToken cancellationToken);

    /// <summary>A page of tokens, newest first, read without tracking.</summary>
    Task<(IReadOnlyList<Token> Items, int Total)> ListAsync(TokenKind? kind, bool includeRevoked, int skip, int take, CancellationToken cancellationToken);

    /// <summary>Admin tokens that work at <paramref name="now"/> (neither revoked nor expired), tracked.</summary>
    Task<IReadOnlyList<Token>> ListWorkingAdminsAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Saves the token as changed (its version moves), so that a concurrent writer that read it fails and retries.</summary>
    void MarkChanged(Token token);

    Task<bool> AnyUnrevokedAdminAsync(CancellationToken cancellationToken);
}
