namespace Controller.Application.Hosts.Models;

public sealed record GpuModel(int? Index, string? Model, int? MemoryMiB);
