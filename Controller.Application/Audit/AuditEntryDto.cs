namespace Controller.Application.Audit;

public sealed record AuditEntryDto(Guid AuditId, DateTimeOffset At, Guid TokenId, string TokenName, string Action, int Status, bool Succeeded);
