namespace Controller.Infrastructure.Persistence;

/// <summary>A named lease held by one controller replica until it expires (used so that sweeps run on one replica at a time).</summary>
public sealed class Lease
{
    public string Name { get; set; } = string.Empty;

    public string Holder { get; set; } = string.Empty;

    public DateTimeOffset ExpiresAt { get; set; }

    public long Version { get; set; }
}

/// <summary>A cluster-wide setting shared by every replica (for example the key that derives engine-instance tokens).</summary>
public sealed class ClusterSetting
{
    public string Name { get; set; } = string.Empty;

    public string Value { get; set; } = string.Empty;
}
