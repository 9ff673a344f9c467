namespace Controller.Domain.Common;

/// <summary>Size limits shared by the domain, the validators and the database schema.</summary>
public static class Limits
{
    public const int NameMaxLength = 200;
    public const int HostnameMaxLength = 253;
    public const int MachineIdMaxLength = 200;
    public const int AgentVersionMaxLength = 64;
    public const int ImageMaxLength = 500;
    public const int IpAddressMaxLength = 64;
    public const int MaxIpAddresses = 32;
    public const int LabelKeyMaxLength = 63;
    public const int LabelValueMaxLength = 200;
    public const int MaxLabels = 64;
    public const int MaxGpus = 64;
    public const int GpuModelMaxLength = 100;
    public const int ContainerIdMaxLength = 128;
    public const int MaxContainersPerReport = 1000;
    public const int ReasonMaxLength = 64;

    public const int MaxCpuMillicores = 10_000_000;
    public const int MaxMemoryMiB = 1_000_000_000;
    public const int MaxDiskMiB = int.MaxValue;
    public const int MaxPriority = 1_000_000;
    public const int MaxInstancesPerEngine = 100_000;
    public const int MaxPageSize = 500;

    public const int MaxTaskAttempts = 100;
    public const int MaxTaskTimeoutSeconds = 86_400;
    public const int MaxTaskPayloadChars = 65_536;
    public const int MaxTaskResultChars = 65_536;
    public const int TaskErrorMaxLength = 4_000;
    public const int IdempotencyKeyMaxLength = 200;
    public const int MaxTasksPerBatch = 500;
    public const int MaxGetWorkItems = 100;
    public const int MaxHeldTasksReported = 1_000;
    public const int MaxTargetTasksPerInstance = 1_000_000;
    public const int MaxScaleDownAfterSeconds = 86_400;
}
