using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Controller.Application.Hosts.Models;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Controller.Domain.Hosts;
using Controller.Domain.Scheduling;
using Microsoft.Extensions.Options;

namespace Controller.Application.Hosts.Commands.UpdateHostStatus;

/// <summary>The engine rows a round decides on once it changes counts, read under the placement gate (once per batch).</summary>
public delegate ValueTask<Dictionary<Guid, Engine>> EngineRowsSource(CancellationToken cancellationToken);

/// <summary>A host and its instances that hold resources, read for a round (tracked); a batch reads them for all its rounds at once.</summary>
public sealed record RoundRows(Host Host, List<EngineInstance> Live);

/// <summary>A round decided and applied to the tracked rows, not yet saved; without a host it changed nothing (nothing to save).</summary>
public sealed record PreparedRound(HostStatusAnswer Answer, Host? Host, IReadOnlyList<EngineInstance> Holding, IReadOnlyCollection<Engine>? Saved, PlacementDecision? Decision, string Fingerprint);

/// <summary>
/// One status round on the rows of its batch: record the report, reconcile the host's instances with it
/// (<see cref="StatusReconciler"/>), decide launches and stops for this host (<see cref="Scheduler"/>), and apply them
/// to the tracked rows (<see cref="RoundWriter"/>). The batch saves; <see cref="RoundCompletion"/> tells the view, the
/// metrics and the fast path afterwards.
/// </summary>
public sealed class StatusRound(
    IHostRepository hosts,
    IEngineInstanceRepository instances,
    IClusterViewSource clusterView,
    RoundWriter writer,
    StatusAnswers answers,
    IOptions<SchedulingOptions> options)
{
    /// <summary>The hosts of a batch and their instances that hold resources, tracked, in one read each.</summary>
    public async Task<(Dictionary<Guid, Host> Hosts, ILookup<Guid, EngineInstance> Live)> ReadAsync(IReadOnlyList<Guid> hostIds, CancellationToken cancellationToken) =>
        ((await hosts.ListAsync(hostIds, cancellationToken)).ToDictionary(h => h.Id),
         (await instances.ListHoldingForHostsAsync(hostIds, cancellationToken)).ToLookup(i => i.HostId));

    /// <summary>
    /// The round applied to the tracked rows. With <see cref="StatusCall.DeferLaunches"/>, a round whose only count change
    /// would be launches launches nothing (it needs no engine rows): the copies go to a later report, here or on another host.
    /// </summary>
    public async Task<PreparedRound> PrepareAsync(StatusCall call, RoundRows rows, EngineRowsSource engineRows, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (command, fingerprint) = (call.Command, call.Fingerprint);
        var (host, live) = rows;
        if (host.State == HostState.Terminated)
        {
            // The answer that ended the host may have been lost: say it again, change nothing.
            return new PreparedRound(answers.Terminated(), null, [], null, null, fingerprint);
        }

        var o = options.Value;
        var settings = o.SchedulerSettings();
        host.RecordStatus(command.Available!.ToResources(), now);
        var reconciled = await ReconcileAsync(command, host, live, now, cancellationToken);

        var snapshot = await clusterView.GetAsync(cancellationToken);
        var placement = Snapshot(host, live, now) with { HeldGpuIndexes = reconciled.HeldGpuIndexes };

        // The copies of engines moving away from this host are counted cluster-wide, and rollouts on copies counted now,
        // for the engines the decision is taken on.
        async Task<PlacementDecision> DecideAsync(IEnumerable<Engine> engines)
        {
            var moving = MovingEngines(host, live, engines);
            var running = moving.Count == 0 ? null : await instances.CountReplacementsAsync(moving, cancellationToken);
            return Scheduler.Decide(placement, snapshot.Demands(engines, now, running, await RolloutsAsync(engines, live, now, cancellationToken)), settings);
        }

        var decision = await DecideAsync(snapshot.Engines);
        if (decision.Launches.Count > 0)
        {
            placement = placement with { AvoidedEngines = await AvoidedEnginesAsync(host.Id, now, cancellationToken) };
        }

        if (call.DeferLaunches && reconciled.Released.Count == 0 && decision.Stops.Count == 0 && decision.Displacements.Count == 0)
        {
            decision = decision with { Launches = [] };
        }

        IReadOnlyCollection<Engine>? saved = null;
        if (reconciled.Released.Count > 0 || !decision.IsEmpty)
        {
            // Counts change: decide again on engine rows read under the placement gate and saved with their versions.
            var fresh = await engineRows(cancellationToken);

            // Copies counted again after the engine rows were read: a stop of displaced copies decided on these counts is
            // saved with the engine's version (the writer touches it), so it conflicts with any save that changed them since.
            EngineCounts.Release(reconciled.Released, fresh, now, o.Backoff());
            decision = await DecideAsync(fresh.Values);
            writer.Apply(decision, host, live, fresh, now);
            saved = fresh.Values;
        }

        var holding = await writer.SettleAsync(host, live, now, cancellationToken);
        var answer = answers.For(host, holding, reconciled.ExtraTerminates, now);
        hosts.RecordStatus(host, StatusAnswers.StoredReport(command), answers.StoredAnswer(answer));
        return new PreparedRound(answer, host, holding, saved, saved is null ? null : decision, fingerprint);
    }

    private async Task<ReconcileResult> ReconcileAsync(UpdateHostStatusCommand command, Host host, List<EngineInstance> live, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var reported = (command.Containers ?? [])
            .Where(c => c.EngineInstanceId is not null)
            .Select(c => new ReportedContainer(c.ContainerId!, c.EngineInstanceId!.Value, ToReported(c.State!.Value), c.ExitCode))
            .ToList();
        var liveIds = live.Select(i => i.Id).ToHashSet();
        var foreignIds = reported.Select(r => r.EngineInstanceId).Where(id => !liveIds.Contains(id)).ToList();
        var ended = foreignIds.Count == 0 ? [] : await instances.EndedStatesAsync(host.Id, foreignIds, cancellationToken);
        return StatusReconciler.Reconcile(live, reported, ended, now, options.Value.InstanceTimeouts());
    }

    /// <summary>
    /// The engines with outdated copies up on this host, and what their rollout allows (<see cref="RollingUpdate"/>), on
    /// copies counted cluster-wide now: a stop decided on them releases the copy, which writes the engine row, so it
    /// conflicts with any save that changed the engine's copies since its row was read.
    /// </summary>
    private async Task<IReadOnlyDictionary<Guid, RolloutDemand>?> RolloutsAsync(IEnumerable<Engine> engines, List<EngineInstance> live, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rolling = engines.Where(e => e.State == EngineState.Active && e.OutdatedInstances > 0 && live.Any(i => i.IsActive && i.EngineId == e.Id && i.Revision != e.Revision)).ToList();
        if (rolling.Count == 0)
        {
            return null;
        }

        var healthy = await instances.CountHealthyAsync(rolling.ToDictionary(e => e.Id, e => RollingUpdate.HealthySince(e, now)), cancellationToken);
        return rolling.ToDictionary(e => e.Id, e => RollingUpdate.Demand(e, healthy[e.Id], now));
    }

    /// <summary>
    /// The engines whose copies here wait for replacements elsewhere (displaced), or may be displaced (the engine's labels
    /// no longer match the host): their copies are counted cluster-wide for make before break.
    /// </summary>
    private static List<Guid> MovingEngines(Host host, List<EngineInstance> live, IEnumerable<Engine> engines) =>
        [.. live.Where(i => i.IsUp).Select(i => i.EngineId).Distinct()
            .Where(id => live.Any(i => i.EngineId == id && i.IsUp && i.Displaced) || engines.FirstOrDefault(e => e.Id == id) is { } engine && !engine.AcceptsHostLabels(host.Labels))];

    /// <summary>Engines whose copies kept crashing on this host lately, each with how many hosts avoid it (<see cref="HostAvoidance"/>).</summary>
    private async Task<IReadOnlyDictionary<Guid, int>> AvoidedEnginesAsync(Guid hostId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var since = now - TimeSpan.FromSeconds(o.HostAvoidSeconds);
        var here = HostAvoidance.AvoidedOn(hostId, await instances.FailuresOnHostSinceAsync(hostId, since, cancellationToken), o.HostAvoidAfterFailures, o.HealthyAfter());
        return here.Count == 0
            ? new Dictionary<Guid, int>()
            : HostAvoidance.HostsAvoiding(await instances.FailuresOfEnginesSinceAsync(here, since, cancellationToken), o.HostAvoidAfterFailures, o.HealthyAfter());
    }

    private static HostSnapshot Snapshot(Host host, List<EngineInstance> live, DateTimeOffset now)
    {
        var role = host.State switch
        {
            HostState.Active => HostRole.Active,
            HostState.Draining when host.DrainDeadline is { } deadline && deadline <= now => HostRole.DrainDeadlinePassed,
            HostState.Draining => HostRole.Draining,
            HostState.Terminating => HostRole.Terminating,
            _ => HostRole.Idle,
        };
        var placed = live.Where(i => i.HoldsResources)
            .Select(i => new PlacedInstance(i.Id, i.EngineId, i.State, i.Resources, i.GpuIndexes, i.CreatedAt, i.Displaced, i.Busy, i.Revision, i.RunningSince))
            .ToList();
        return new HostSnapshot(host.Id, role, host.Capacity, host.Available, host.Labels, host.Gpus.Select(g => g.Index).ToList(), placed);
    }

    private static ReportedContainerState ToReported(ContainerState state) => state switch
    {
        ContainerState.Created => ReportedContainerState.Created,
        ContainerState.Running => ReportedContainerState.Running,
        _ => ReportedContainerState.Exited,
    };
}
