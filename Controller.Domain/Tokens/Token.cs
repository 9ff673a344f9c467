using Controller.Domain.Common;

namespace Controller.Domain.Tokens;

/// <summary>
/// A bearer credential issued by the controller. Only the SHA-256 hash of the secret is kept;
/// host and engine-instance tokens are bound to the one resource they act for.
/// </summary>
public sealed class Token : Entity
{
    public const int HashLength = 32;

    private Token(Guid id)
        : base(id)
    {
        Name = string.Empty;
        Hash = [];
    }

    public string Name { get; private set; }

    public TokenKind Kind { get; private set; }

    public byte[] Hash { get; private set; }

    public Guid? HostId { get; private set; }

    public Guid? EngineInstanceId { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? ExpiresAt { get; private set; }

    public DateTimeOffset? RevokedAt { get; private set; }

    /// <summary>When a host token first authenticated a request: a rotation's previous tokens expire an overlap after that.</summary>
    public DateTimeOffset? FirstUsedAt { get; private set; }

    public bool IsRevoked => RevokedAt is not null;

    /// <summary>Issue an admin, registration, client or viewer token (the kinds an admin may create).</summary>
    public static Token IssueForAdmin(Guid id, TokenKind kind, string name, byte[] hash, DateTimeOffset now, DateTimeOffset? expiresAt)
    {
        if (kind is not (TokenKind.Admin or TokenKind.Registration or TokenKind.Client or TokenKind.Viewer))
        {
            throw new DomainException("invalid_token_kind", "Only 'admin', 'registration', 'client' and 'viewer' tokens can be issued directly.",
                new Dictionary<string, object?> { ["kind"] = kind.ToString() });
        }

        if (expiresAt is not null && expiresAt <= now)
        {
            throw new DomainException("invalid_value", "'expiresAt' must be in the future.", new Dictionary<string, object?> { ["field"] = "expiresAt" });
        }

        // Stored in UTC on every provider (PostgreSQL's timestamptz takes no other offset).
        return Create(id, kind, name, hash, now, expiresAt?.ToUniversalTime(), null, null);
    }

    /// <summary>A host's token, named after its hostname.</summary>
    public static Token IssueForHost(Guid id, Guid hostId, string hostname, byte[] hash, DateTimeOffset now) =>
        Create(id, TokenKind.Host, DerivedName("host ", hostname), hash, now, null, hostId, null);

    /// <summary>An engine instance's token, named after its engine.</summary>
    public static Token IssueForEngineInstance(Guid id, Guid instanceId, string engineName, byte[] hash, DateTimeOffset now) =>
        Create(id, TokenKind.EngineInstance, DerivedName("instance ", engineName), hash, now, null, null, instanceId);

    /// <summary>A name the controller derives never exceeds the column: the longest allowed hostname or engine name is shortened.</summary>
    public static string DerivedName(string prefix, string subject)
    {
        var name = prefix + subject;
        return name.Length <= Limits.NameMaxLength ? name : string.Concat(name.AsSpan(0, Limits.NameMaxLength - 1), "…");
    }

    /// <summary>True when the token may authenticate a request at <paramref name="now"/>.</summary>
    public bool IsValidAt(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);

    /// <summary>Revoke the token; revoking twice is harmless.</summary>
    public void Revoke(DateTimeOffset now) => RevokedAt ??= now;

    /// <summary>Revoke at a later moment (a rotated host token keeps working for a short overlap).</summary>
    public void ExpireAt(DateTimeOffset at)
    {
        if (ExpiresAt is null || ExpiresAt > at)
        {
            ExpiresAt = at.ToUniversalTime();
        }
    }

    private static Token Create(Guid id, TokenKind kind, string name, byte[] hash, DateTimeOffset now, DateTimeOffset? expiresAt, Guid? hostId, Guid? instanceId)
    {
        if (hash.Length != HashLength)
        {
            throw new DomainException("invalid_value", "A token hash must be 32 bytes (SHA-256).");
        }

        return new Token(id)
        {
            Kind = kind,
            Name = Guard.NotBlank(name, "name", Limits.NameMaxLength),
            Hash = hash,
            CreatedAt = now,
            ExpiresAt = expiresAt,
            HostId = hostId,
            EngineInstanceId = instanceId,
        };
    }
}
