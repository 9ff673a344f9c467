namespace Controller.Domain.Scheduling;

public enum PlacementPolicy
{
    /// <summary>Copies of one engine are spread across the hosts that can run it.</summary>
    Spread,

    /// <summary>Each reporting host is filled as far as it goes.</summary>
    Binpack,
}

/// <summary>What the host's state means for placement.</summary>
public enum HostRole
{
    /// <summary>Takes new launches.</summary>
    Active,

    /// <summary>No new launches; copies move elsewhere as capacity allows.</summary>
    Draining,

    /// <summary>The drain deadline passed: everything left is stopped.</summary>
    DrainDeadlinePassed,

    /// <summary>Everything is stopped, then the host shuts down.</summary>
    Terminating,

    /// <summary>Neither launches nor stops (drained, lost, terminated).</summary>
    Idle,
}
