using Controller.Domain.Common;
using Controller.Domain.Events;

namespace Controller.Domain.Hosts;

/// <summary>
/// A worker machine running an agent. Guards its own lifecycle:
/// active → draining → drained (→ active by undrain); any live state → terminating → terminated;
/// a silent host becomes lost and returns to active when it reports again.
/// </summary>
public sealed class Host : Entity
{
    private List<string> _ipAddresses = [];
    private Dictionary<string, string> _labels = [];
    private List<GpuDevice> _gpus = [];

    private Host(Guid id)
        : base(id)
    {
        MachineId = string.Empty;
        Hostname = string.Empty;
    }

    public string MachineId { get; private set; }

    public string Hostname { get; private set; }

    public string? AgentVersion { get; private set; }

    public IReadOnlyList<string> IpAddresses => _ipAddresses;

    public IReadOnlyDictionary<string, string> Labels => _labels;

    public Resources Capacity { get; private set; }

    public IReadOnlyList<GpuDevice> Gpus => _gpus;

    public HostState State { get; private set; }

    public DateTimeOffset RegisteredAt { get; private set; }

    public DateTimeOffset LastSeenAt { get; private set; }

    public DateTimeOffset StateChangedAt { get; private set; }

    public DateTimeOffset? DrainDeadline { get; private set; }

    /// <summary>Free resources as last reported by the agent (null before the first report).</summary>
    public Resources? Available { get; private set; }

    public DateTimeOffset? LastStatusAt { get; private set; }

    /// <summary>Resources held by the engine instances placed here (pending, starting, running, stopping).</summary>
    public Resources Allocated { get; private set; }

    /// <summary>True while the host holds or may hold containers (it is neither terminated).</summary>
    public bool IsLive => State != HostState.Terminated;

    /// <summary>True when new engine instances may be placed on this host.</summary>
    public bool AcceptsLaunches => State == HostState.Active;

    public static Host Register(Guid id, HostRegistration registration, DateTimeOffset now)
    {
        var host = new Host(id)
        {
            RegisteredAt = now,
            LastSeenAt = now,
            StateChangedAt = now,
            State = HostState.Active,
        };
        host.Apply(registration);
        host.Raise(ClusterEvent.Create(ClusterEventTypes.HostRegistered, now, $"Host {host.Hostname} registered: {host.Capacity.Describe()}.", hostId: id));
        return host;
    }

    /// <summary>The same agent registers again (after a restart): refresh what it reports; a lost host is back.</summary>
    public void ReRegister(HostRegistration registration, DateTimeOffset now)
    {
        EnsureNotTerminated("re-register");
        if (!string.Equals(registration.MachineId, MachineId, StringComparison.Ordinal))
        {
            throw new DomainException("machine_id_mismatch", "The host token belongs to a host with another machine id.",
                new Dictionary<string, object?> { ["hostId"] = Id });
        }

        Apply(registration);
        Seen(now);
    }

    /// <summary>Records a status report received at <paramref name="now"/> (the controller's clock). Returns true when the host came back from lost.</summary>
    public bool RecordStatus(Resources available, DateTimeOffset now)
    {
        EnsureNotTerminated("report status");
        Available = Guard.NonNegative(available, "available");
        LastStatusAt = now;
        return Seen(now);
    }

    /// <summary>Kept by the scheduler after every change of the instances on this host.</summary>
    public void SetAllocated(Resources allocated) => Allocated = Guard.NonNegative(allocated, "allocated");

    /// <summary>How long a drain without a deadline of its own lasts by default (Nomad's default drain deadline).</summary>
    public static readonly TimeSpan DefaultDrainDeadline = TimeSpan.FromHours(1);

    /// <summary>
    /// Stop new launches; what is left is stopped at the deadline, replaced elsewhere or not: the one given, else
    /// <paramref name="defaultDeadline"/> (a drain always ends).
    /// </summary>
    public void Drain(DateTimeOffset now, TimeSpan? deadline, TimeSpan defaultDeadline)
    {
        switch (State)
        {
            case HostState.Active:
                DrainDeadline = now + (deadline ?? defaultDeadline);
                MoveTo(HostState.Draining, now);
                break;
            case HostState.Draining:
                // Draining again only tightens or sets the deadline.
                if (deadline is not null)
                {
                    DrainDeadline = now + deadline.Value;
                }

                break;
            case HostState.Drained:
                break;
            default:
                throw IllegalTransition("drain");
        }
    }

    public void CompleteDrain(DateTimeOffset now)
    {
        if (State != HostState.Draining)
        {
            throw IllegalTransition("complete the drain of");
        }

        MoveTo(HostState.Drained, now);
        DrainDeadline = null;
    }

    public void Undrain(DateTimeOffset now)
    {
        switch (State)
        {
            case HostState.Draining:
            case HostState.Drained:
                MoveTo(HostState.Active, now);
                DrainDeadline = null;
                break;
            case HostState.Active:
                break;
            default:
                throw IllegalTransition("undrain");
        }
    }

    /// <summary>Mark the host for deletion: its instances are terminated, then it is told to shut down.</summary>
    public void Terminate(DateTimeOffset now)
    {
        switch (State)
        {
            case HostState.Active:
            case HostState.Draining:
            case HostState.Drained:
            case HostState.Lost:
                MoveTo(HostState.Terminating, now);
                DrainDeadline = null;
                break;
            case HostState.Terminating:
                break;
            default:
                throw IllegalTransition("terminate");
        }
    }

    public void CompleteTermination(DateTimeOffset now)
    {
        if (State != HostState.Terminating)
        {
            throw IllegalTransition("complete the termination of");
        }

        MoveTo(HostState.Terminated, now);
    }

    /// <summary>The host fell silent for longer than the grace period.</summary>
    public void MarkLost(DateTimeOffset now)
    {
        switch (State)
        {
            case HostState.Active:
            case HostState.Draining:
            case HostState.Drained:
                MoveTo(HostState.Lost, now);
                DrainDeadline = null;
                break;
            default:
                throw IllegalTransition("mark lost");
        }
    }

    private bool Seen(DateTimeOffset now)
    {
        LastSeenAt = now;
        if (State != HostState.Lost)
        {
            return false;
        }

        MoveTo(HostState.Active, now);
        return true;
    }

    private void Apply(HostRegistration registration)
    {
        MachineId = Guard.NotBlank(registration.MachineId, "machineId", Limits.MachineIdMaxLength);
        Hostname = Guard.NotBlank(registration.Hostname, "hostname", Limits.HostnameMaxLength);
        AgentVersion = registration.AgentVersion;
        Capacity = Guard.NonNegative(registration.Capacity, "capacity");
        _ipAddresses = [.. registration.IpAddresses];
        _labels = new Dictionary<string, string>(registration.Labels, StringComparer.Ordinal);
        _gpus = registration.Gpus.Count > 0
            ? [.. registration.Gpus.OrderBy(g => g.Index)]
            : [.. Enumerable.Range(0, registration.Capacity.GpuCount).Select(i => new GpuDevice(i, null, null))];
        if (_gpus.Count != Capacity.GpuCount)
        {
            throw new DomainException("invalid_value", "'capacity.gpus' must list exactly 'capacity.gpuCount' GPUs.",
                new Dictionary<string, object?> { ["field"] = "capacity.gpus" });
        }

        if (_gpus.Select(g => g.Index).Distinct().Count() != _gpus.Count)
        {
            throw new DomainException("invalid_value", "GPU indexes must be unique.", new Dictionary<string, object?> { ["field"] = "capacity.gpus" });
        }
    }

    private void EnsureNotTerminated(string action)
    {
        if (State == HostState.Terminated)
        {
            throw IllegalTransition(action);
        }
    }

    private void MoveTo(HostState state, DateTimeOffset now)
    {
        var from = State;
        State = state;
        StateChangedAt = now;
        var (type, message) = (from, state) switch
        {
            (HostState.Lost, HostState.Active) => (ClusterEventTypes.HostBack, $"Host {Hostname} reports again after it was lost."),
            (_, HostState.Active) => (ClusterEventTypes.HostUndrained, $"Host {Hostname} takes new launches again."),
            (_, HostState.Draining) => (ClusterEventTypes.HostDraining,
                $"Host {Hostname} is draining: no new launches; its copies are replaced elsewhere before they stop, and stopped at the latest at {DrainDeadline:O}."),
            (_, HostState.Drained) => (ClusterEventTypes.HostDrained, $"Host {Hostname} is drained: nothing runs on it."),
            (_, HostState.Lost) => (ClusterEventTypes.HostLost, $"Host {Hostname} is lost: silent since {LastSeenAt:O}; its instances are replaced elsewhere."),
            (_, HostState.Terminating) => (ClusterEventTypes.HostTerminating, $"Host {Hostname} is being terminated: its instances are stopped, then it shuts down."),
            _ => (ClusterEventTypes.HostTerminated, $"Host {Hostname} is terminated."),
        };
        Raise(ClusterEvent.Create(type, now, message, hostId: Id, reason: from.ToString().ToLowerInvariant()));
    }

    private DomainException IllegalTransition(string action) =>
        new("host_state_conflict", $"Cannot {action} a host that is {State.ToString().ToLowerInvariant()}.",
            new Dictionary<string, object?> { ["hostId"] = Id, ["state"] = State.ToString().ToLowerInvariant() });
}
