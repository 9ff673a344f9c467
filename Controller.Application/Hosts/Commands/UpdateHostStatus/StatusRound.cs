using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Models;
using Controller.Application.Common.Options;
using Controller.Application.Common.Security;
using Controller.Application.Common.Telemetry;
using Controller.Application.Hosts.FastPath;
using Controller.Application.Hosts.Models;
using Controller.Domain.Common;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Controller.Domain.Hosts;
using Controller.Domain.Scheduling;
using Controller.Domain.Tokens;
using Microsoft.Extensions.Options;

namespace Controller.Application.Hosts.Commands.UpdateHostStatus;

/// <summary>
/// The engine rows a round decides on once it changes counts, read under the placement gate; null: the round is not
/// to change counts here (it is handed to a batch).
/// </summary>
public delegate ValueTask<Dictionary<Guid, Engine>?> EngineRowsSource(CancellationToken cancellationToken);

/// <summary>A host and its instances that hold resources, read for a round (tracked); a batch reads them for all its rounds at once.</summary>
public sealed record RoundRows(Host Host, List<EngineInstance> Live);

/// <summary>A round decided and applied to the tracked rows, not yet saved; without a host it changed nothing (nothing to save).</summary>
public sealed record PreparedRound(HostStatusAnswer Answer, Host? Host, IReadOnlyList<EngineInstance> Holding, IReadOnlyCollection<Engine>? Saved, PlacementDecision? Decision, string Fingerprint);

/// <summary>
/// One status round's steps on the rows of the scope it runs in: record the report, reconcile the host's instances
/// with it, decide launches and stops for this host, apply them (<see cref="PrepareAsync"/>); the caller saves, alone or
/// with the other rounds of a batch, and then <see cref="Complete"/> tells the view and the metrics.
/// </summary>
public sealed class StatusRound(
    IHostRepository hosts,
    IEngineInstanceRepository instances,
    ITokenRepository tokens,
    IStatusIntervalAdvisor intervals,
    ITokenService tokenService,
    IInstanceTokenIssuer instanceTokens,
    IClusterViewSource clusterView,
    SteadyStateCache steady,
    IOptions<SchedulingOptions> options,
    IOptions<ControllerEndpointOptions> endpoint,
    ControllerMetrics metrics,
    TimeProvider clock)
{
    /// <summary>
    /// The round applied to the tracked rows; null when <paramref name="engineRows"/> gave none (nothing was decided).
    /// With <paramref name="deferLaunches"/>, a round whose only count change would be launches launches nothing (it
    /// needs no engine rows): the copies go to a later report, here or on another host.
    /// </summary>
    public async Task<PreparedRound?> PrepareAsync(UpdateHostStatusCommand command, string fingerprint, EngineRowsSource engineRows, CancellationToken cancellationToken,
        bool deferLaunches = false, RoundRows? rows = null)
    {
        var now = clock.GetUtcNow();
        var o = options.Value;
        var host = rows?.Host ?? await hosts.FindAsync(command.HostId, cancellationToken) ?? throw HostErrors.NotFound(command.HostId);
        if (host.State == HostState.Terminated)
        {
            // The answer that ended the host may have been lost: say it again, change nothing.
            return new PreparedRound(new HostStatusAnswer(HostMode.Terminate, intervals.NextInterval(), [], []), null, [], null, null, fingerprint);
        }

        host.RecordStatus(command.Available!.ToResources(), now);

        var reported = (command.Containers ?? [])
            .Where(c => c.EngineInstanceId is not null)
            .Select(c => new ReportedContainer(c.ContainerId!, c.EngineInstanceId!.Value, ToReported(c.State!.Value), c.ExitCode))
            .ToList();
        var live = rows?.Live ?? await instances.ListHoldingForHostAsync(host.Id, cancellationToken);
        var liveIds = live.Select(i => i.Id).ToHashSet();
        var foreignIds = reported.Select(r => r.EngineInstanceId).Where(id => !liveIds.Contains(id)).ToList();
        var ended = foreignIds.Count == 0 ? [] : await instances.EndedStatesAsync(host.Id, foreignIds, cancellationToken);

        var reconciled = StatusReconciler.Reconcile(live, reported, ended, now, o.InstanceTimeouts());

        var snapshot = await clusterView.GetAsync(cancellationToken);
        var settings = o.SchedulerSettings();
        var displacedEngines = live.Where(i => i.Displaced && i.IsUp).Select(i => i.EngineId).Distinct().ToList();
        var running = displacedEngines.Count == 0 ? null : await instances.CountReplacementsAsync(displacedEngines, cancellationToken);
        var placement = Snapshot(host, live, now) with { HeldGpuIndexes = reconciled.HeldGpuIndexes };
        var decision = Scheduler.Decide(placement, snapshot.Demands(snapshot.Engines, now, running), settings);
        if (decision.Launches.Count > 0)
        {
            placement = placement with { AvoidedEngines = await AvoidedEnginesAsync(host.Id, now, cancellationToken) };
        }

        if (deferLaunches && reconciled.Released.Count == 0 && decision.Stops.Count == 0 && decision.Displacements.Count == 0)
        {
            decision = decision with { Launches = [] };
        }

        IReadOnlyCollection<Engine>? saved = null;
        if (reconciled.Released.Count > 0 || !decision.IsEmpty)
        {
            // Counts change: decide again on engine rows read under the placement gate and saved with their versions.
            if (await engineRows(cancellationToken) is not { } fresh)
            {
                return null;
            }

            EngineCounts.Release(reconciled.Released, fresh, now, o.Backoff());
            decision = Scheduler.Decide(placement, snapshot.Demands(fresh.Values, now, running), settings);
            Apply(decision, host, live, fresh, now);
            saved = fresh.Values;
        }

        var endedNow = live.Where(i => i.IsEnded).Select(i => i.Id).ToList();
        if (endedNow.Count > 0)
        {
            tokenService.RevokeAll(await tokens.ListUnrevokedForInstancesAsync(endedNow, cancellationToken), now);
        }

        var holding = live.Where(i => i.HoldsResources).ToList();
        host.SetAllocated(holding.Select(i => i.Resources).Sum());
        if (holding.Count == 0)
        {
            await CompleteHostTransitionsAsync(host, now, cancellationToken);
        }

        var answer = Answer(host, holding, reconciled.ExtraTerminates);
        hosts.RecordStatus(host, JsonText.Serialize(new { command.Available, command.Containers }),
            JsonText.Serialize(answer.WithoutSecrets() with { StatusIntervalSeconds = intervals.BaseInterval }));
        return new PreparedRound(answer, host, holding, saved, saved is null ? null : decision, fingerprint);
    }

    /// <summary>After the round's rows were saved: the view takes the counts and the host as saved (no rebuild), and a steady host is remembered for the fast path.</summary>
    public HostStatusAnswer Complete(PreparedRound round)
    {
        if (round.Host is not { } host)
        {
            return round.Answer;
        }

        if (round.Saved is { } saved && round.Decision is { } decision)
        {
            var names = saved.ToDictionary(e => e.Id, e => e.Name);
            foreach (var launch in decision.Launches)
            {
                metrics.Launched(names.GetValueOrDefault(launch.EngineId, "unknown"));
            }

            foreach (var stop in decision.Stops)
            {
                metrics.Stopped(names.GetValueOrDefault(stop.EngineId, "unknown"), stop.Reason);
            }
        }

        var now = clock.GetUtcNow();
        var answer = round.Answer;
        if (host.State == HostState.Active && answer.Launch.Count == 0 && answer.Terminate.Count == 0
            && round.Holding.All(i => i.State == EngineInstanceState.Running && i.IsActive))
        {
            steady.Remember(host.Id, new SteadyState(round.Fingerprint, answer, now, round.Holding.Select(i => i.EngineId).ToHashSet(),
                host.Capacity - host.Allocated, host.Labels));
        }

        return answer;
    }

    /// <summary>Engines whose copies kept failing on this host lately: none is launched here for a while.</summary>
    private async Task<IReadOnlyCollection<Guid>> AvoidedEnginesAsync(Guid hostId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var failures = await instances.RecentFailuresOnHostAsync(hostId, now - TimeSpan.FromSeconds(o.HostAvoidSeconds), cancellationToken);
        return [.. failures.Where(f => f.Value >= o.HostAvoidAfterFailures).Select(f => f.Key)];
    }

    private void Apply(PlacementDecision decision, Host host, List<EngineInstance> live, Dictionary<Guid, Engine> engines, DateTimeOffset now)
    {
        var byId = live.ToDictionary(i => i.Id);
        var left = new List<EngineInstance>();
        foreach (var stop in decision.Stops)
        {
            if (byId[stop.InstanceId].RequestStop(stop.Reason, now))
            {
                left.Add(byId[stop.InstanceId]);
            }
        }

        foreach (var displace in decision.Displacements)
        {
            if (byId[displace.InstanceId].Displace())
            {
                left.Add(byId[displace.InstanceId]);
            }
        }

        EngineCounts.Release(left, engines, now, backoff: null);
        foreach (var launch in decision.Launches)
        {
            var engine = engines[launch.EngineId];
            var tokenId = Guid.CreateVersion7(now);
            var instance = EngineInstance.Launch(Guid.CreateVersion7(now), engine, host.Id, launch.GpuIndexes, tokenId, now);
            var secret = instanceTokens.SecretFor(tokenId);
            tokens.Add(Token.IssueForEngineInstance(tokenId, instance.Id, engine.Name, tokenService.Hash(secret), now));
            instances.Add(instance);
            live.Add(instance);
        }
    }

    private async Task CompleteHostTransitionsAsync(Host host, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (host.State == HostState.Draining)
        {
            host.CompleteDrain(now);
        }
        else if (host.State == HostState.Terminating)
        {
            await HostTermination.CompleteAsync(host, tokens, tokenService, now, TimeSpan.FromSeconds(options.Value.TerminatedHostGraceSeconds), cancellationToken);
        }
    }

    private HostStatusAnswer Answer(Host host, List<EngineInstance> holding, IReadOnlyList<ContainerTerminate> extra)
    {
        var launch = holding
            .Where(i => i.State == EngineInstanceState.Pending)
            .Select(i =>
            {
                var runtime = i.Runtime;
                return new LaunchOrder(i.Id, i.EngineId, i.Image, ResourcesDto.From(i.Resources), i.GpuIndexes,
                    runtime.LaunchEnvironment(new Dictionary<string, string>
                    {
                        ["CONTROLLER_URL"] = endpoint.Value.PublicUrl ?? string.Empty,
                        ["ENGINE_ID"] = i.EngineId.ToString(),
                        ["ENGINE_INSTANCE_ID"] = i.Id.ToString(),
                        [HostStatusAnswer.InstanceTokenVariable] = instanceTokens.SecretFor(i.TokenId),
                    }),
                    runtime.Command,
                    runtime.StopGraceSeconds);
            })
            .ToList();
        var terminate = holding
            .Where(i => i.State == EngineInstanceState.Stopping)
            .Select(i => new TerminateOrder(i.Id, i.ContainerId, i.StopReason ?? Scheduler.ReasonScaledDown, i.StopGraceSeconds))
            .Concat(extra.Select(e => new TerminateOrder(e.EngineInstanceId, e.ContainerId, e.Reason)))
            .ToList();
        return new HostStatusAnswer(HostErrors.ModeOf(host.State, holding.Count), intervals.NextInterval(), launch, terminate);
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
            .Select(i => new PlacedInstance(i.Id, i.EngineId, i.State, i.Resources, i.GpuIndexes, i.CreatedAt, i.Displaced, i.Busy))
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
