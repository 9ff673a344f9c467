using Controller.Domain.Common;

namespace Controller.Domain.Audit;

/// <summary>One admin action: who (token id and name), what (method and path), when, and the outcome (HTTP status).</summary>
public sealed class AuditEntry : Entity
{
    public const int ActionMaxLength = 300;

    private AuditEntry(Guid id)
        : base(id)
    {
        TokenName = string.Empty;
        Action = string.Empty;
    }

    public DateTimeOffset At { get; private set; }

    public Guid TokenId { get; private set; }

    public string TokenName { get; private set; }

    /// <summary>Method and path, e.g. "POST /host/0193.../drain".</summary>
    public string Action { get; private set; }

    public int Status { get; private set; }

    public bool Succeeded => Status is >= 200 and < 300;

    public static AuditEntry Record(Guid id, DateTimeOffset at, Guid tokenId, string tokenName, string action, int status) => new(id)
    {
        At = at,
        TokenId = tokenId,
        TokenName = tokenName.Length > Limits.NameMaxLength ? tokenName[..Limits.NameMaxLength] : tokenName,
        Action = action.Length > ActionMaxLength ? action[..ActionMaxLength] : action,
        Status = status,
    };
}
