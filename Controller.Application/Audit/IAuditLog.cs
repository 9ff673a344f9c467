using Controller.Domain.Audit;

namespace Controller.Application.Audit;

public interface IAuditLog
{
    /// <summary>Stores one entry on its own (outside the request's unit of work, so failed requests are recorded too).</summary>
    Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken);

    Task<(IReadOnlyList<AuditEntry> Items, int Total)> ListAsync(Guid? tokenId, string? actionContains, int skip, int take, CancellationToken cancellationToken);
}
