namespace Controller.Application.Common.Models;

/// <summary>An engine's copies that matter for make-before-break: counted and running, displaced and still up.</summary>
public sealed record ReplacementCounts(int Running, int Displaced);
