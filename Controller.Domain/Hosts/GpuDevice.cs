namespace Controller.Domain.Hosts;

/// <summary>One GPU of a host, addressed by its index on that host.</summary>
public sealed record GpuDevice(int Index, string? Model, int? MemoryMiB);
