namespace Controller.Agent.Machine;

/// <summary>What this machine is and has, before the agent's reserve is taken off.</summary>
public sealed record MachineFacts(
    string MachineId,
    string Hostname,
    IReadOnlyList<string> IpAddresses,
    int CpuMillicores,
    int MemoryMiB,
    int DiskMiB,
    int FreeDiskMiB,
    IReadOnlyList<GpuFact> Gpus);

public sealed record GpuFact(int Index, string Model, int MemoryMiB);
