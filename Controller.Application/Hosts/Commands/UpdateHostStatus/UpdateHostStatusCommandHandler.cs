using Controller.Application.Common.Exceptions;
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
using Mediator;
using Microsoft.Extensions.Options;

namespace Controller.Application.Hosts.Commands.UpdateHostStatus;

/// <summary>
/// One status round: record the report, reconcile the host's instances with it, decide launches and stops
/// for this host, persist all of it in one transaction, and answer with every order still open
/// (level-triggered). A round that loses a race on a shared row (the host's, or an engine's count) is
/// retried from fresh reads; only rounds that change engine counts take the in-process placement gate.
/// </summary>
public sealed class UpdateHostStatusCommandHandler(
    IHostRepository hosts,
    IEngineRepository engines,
    IEngineInstanceRepository instances,
    ITokenRepository tokens,
    IUnitOfWork unitOfWork,
    IStatusIntervalAdvisor intervals,
    ITokenService tokenService,
    IInstanceTokenIssuer instanceTokens,
    IClusterViewSource clusterView,
    IClusterChanges clusterChanges,
    IPlacementGate placementGate,
    SteadyStateCache steady,
    LastSeenBuffer lastSeen,
    IOptions<SchedulingOptions> options,
    IOptions<ControllerEndpointOptions> endpoint,
    ControllerMetrics metrics,
    TimeProvider clock) : ICommandHandler<UpdateHostStatusCommand, HostStatusAnswer>
{
    public async ValueTask<HostStatusAnswer> Handle(UpdateHostStatusCommand command, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var o = options.Value;
        var fingerprint = SteadyStateCache.Fingerprint(command.Containers);
        if (o.FastPathMaxAgeSeconds > 0)
        {
            // Steady state: the same containers, nothing to launch or stop. Answered from memory, no database row touched.
            var now = clock.GetUtcNow();
            var snapshot = await clusterView.GetAsync(cancellationToken);
            if (steady.Answer(command.HostId, fingerprint, snapshot.Engines, now, TimeSpan.FromSeconds(o.FastPathMaxAgeSeconds)) is { } same)
            {
                lastSeen.Record(command.HostId, now);
                metrics.StatusReport(fast: true, System.Diagnostics.Stopwatch.GetElapsedTime(started));
                return same with { StatusIntervalSeconds = intervals.NextInterval() };
            }
        }

        steady.Forget(command.HostId);
        var attempts = o.MaxRoundAttempts;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var answer = await RoundAsync(command, fingerprint, cancellationToken);
                metrics.StatusReport(fast: false, System.Diagnostics.Stopwatch.GetElapsedTime(started));
                return answer;
            }
            catch (ConcurrencyConflictException) when (attempt < attempts)
            {
                metrics.Conflict("status_round");
                unitOfWork.Reset();
                // A short real pause (not the injected clock: a test's fake clock would never let it end) spreads the retries.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 * attempt)), cancellationToken);
            }
            catch (ConcurrencyConflictException)
            {
                // The round lost every race, but the host was heard from: it must not be declared lost for it.
                unitOfWork.Reset();
                await hosts.TouchManyAsync([command.HostId], clock.GetUtcNow(), cancellationToken);
                throw;
            }
        }
    }

    private async Task<HostStatusAnswer> RoundAsync(UpdateHostStatusCommand command, string fingerprint, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var o = options.Value;
        var host = await hosts.FindAsync(command.HostId, cancellationToken) ?? throw HostErrors.NotFound(command.HostId);
        if (host.State == HostState.Terminated)
        {
            // The answer that ended the host may have been lost: say it again, change nothing.
            return new HostStatusAnswer(HostMode.Terminate, intervals.NextInterval(), [], []);
        }

        host.RecordStatus(command.Available!.ToResources(), JsonText.Serialize(new { command.Available, command.Containers }), now);

        var reported = (command.Containers ?? [])
            .Where(c => c.EngineInstanceId is not null)
            .Select(c => new ReportedContainer(c.ContainerId!, c.EngineInstanceId!.Value, ToReported(c.State!.Value), c.ExitCode))
            .ToList();
        var live = await instances.ListHoldingForHostAsync(host.Id, cancellationToken);
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

        IDisposable? gate = null;
        IReadOnlyCollection<Engine>? saved = null;
        try
        {
            if (reconciled.Released.Count > 0 || !decision.IsEmpty)
            {
                // Counts change: decide again under the gate, on engine rows read now and saved with their versions.
                gate = await placementGate.EnterAsync(cancellationToken);
                var fresh = (await engines.ListLiveForUpdateAsync(cancellationToken)).ToDictionary(e => e.Id);
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
            host.RecordAnswer(JsonText.Serialize(answer.WithoutSecrets()));
            await unitOfWork.SaveChangesAsync(cancellationToken);

            // The cached view is not rebuilt here (that is O(hosts)); it takes the engine counts just saved.
            if (saved is not null)
            {
                clusterChanges.UpdateEngines(saved);
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

            clusterChanges.UpdateHost(host.Id, host.State == HostState.Active, host.Labels, host.Capacity - host.Allocated);
            if (host.State == HostState.Active && answer.Launch.Count == 0 && answer.Terminate.Count == 0
                && holding.All(i => i.State == EngineInstanceState.Running && i.IsActive))
            {
                steady.Remember(host.Id, new SteadyState(fingerprint, answer, now, holding.Select(i => i.EngineId).ToHashSet(),
                    host.Capacity - host.Allocated, host.Labels));
            }

            return answer;
        }
        finally
        {
            gate?.Dispose();
        }
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
            .Select(i => new LaunchOrder(i.Id, i.EngineId, i.Image, ResourcesDto.From(i.Resources), i.GpuIndexes,
                new Dictionary<string, string>
                {
                    ["CONTROLLER_URL"] = endpoint.Value.PublicUrl ?? string.Empty,
                    ["ENGINE_ID"] = i.EngineId.ToString(),
                    ["ENGINE_INSTANCE_ID"] = i.Id.ToString(),
                    [HostStatusAnswer.InstanceTokenVariable] = instanceTokens.SecretFor(i.TokenId),
                }))
            .ToList();
        var terminate = holding
            .Where(i => i.State == EngineInstanceState.Stopping)
            .Select(i => new TerminateOrder(i.Id, i.ContainerId, i.StopReason ?? Scheduler.ReasonScaledDown))
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
