using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Controller.Api.Tests.Infrastructure;
using Controller.Domain.Common;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Controller.Domain.Hosts;
using Controller.Infrastructure.BackgroundServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Controller.Api.Tests.Scheduling;

/// <summary>
/// A seeded fault-injection run of the real handlers and database on a fake clock, through HTTP: hosts die and come
/// back (some with their containers gone), are terminated while dead, lose answers and repeat requests; engines never
/// register or crash-loop; containers outlive their instances; a controller restarts mid-run; hosts drain with and
/// without deadlines; a majority of the cluster goes silent; engines scale and are deleted; a low-priority engine fills
/// every room left, so the others' copies are placed by preempting it; new images are rolled out under each engine's
/// update policy. Safety is checked after every round (never above desired + maxSurge, no rollout stop below desired −
/// maxUnavailable healthy, no overcommit); after the last fault the cluster must converge within a bounded number of
/// intervals (every engine but the filler at its desired count, every rollout finished).
/// Every fault is written to the log, so a failing seed can be replayed (and read) as it happened.
/// </summary>
internal sealed class FaultSimulation(int seed, int replicaCount, int faultRounds, TextWriter log) : IAsyncDisposable
{
    /// <summary>Rounds of ordinary operation after the last fault within which everything must have converged.</summary>
    public const int HealRounds = 48;

    private const int Interval = 5;
    private const int LaunchTimeout = 30;
    private const int StartTimeout = 30;
    private const int StopTimeout = 30;
    private const int HostLostAfter = 20;

    /// <summary>Hosts are in one zone or the other; the admin moves an engine between them.</summary>
    private static readonly string[] Zones = ["a", "b"];

    private static readonly Dictionary<string, string?> Timeouts = new()
    {
        ["Scheduling:StatusIntervalSeconds"] = Interval.ToString(CultureInfo.InvariantCulture),
        ["Scheduling:HostLostAfterSeconds"] = HostLostAfter.ToString(CultureInfo.InvariantCulture),
        ["Scheduling:LaunchTimeoutSeconds"] = LaunchTimeout.ToString(CultureInfo.InvariantCulture),
        ["Scheduling:StartTimeoutSeconds"] = StartTimeout.ToString(CultureInfo.InvariantCulture),
        ["Scheduling:StopTimeoutSeconds"] = StopTimeout.ToString(CultureInfo.InvariantCulture),
        ["Scheduling:InstanceHeartbeatTimeoutSeconds"] = "20",
        ["Scheduling:StartupGraceSeconds"] = "10",
        ["Scheduling:MassSilenceMaxHoldSeconds"] = "40",
        ["Scheduling:MassSilenceLostPerSweep"] = "2",
        ["Scheduling:TerminatedHostGraceSeconds"] = "30",
        ["Scheduling:FailureBackoffSeconds"] = "1",
        ["Scheduling:MaxFailureBackoffSeconds"] = "20",
        // Drains without a deadline of their own end within the run too.
        ["Scheduling:DrainDeadlineSeconds"] = "60",
        ["Scheduling:SnapshotMaxAgeMilliseconds"] = "0",
        // The sweep is ticked by the simulation, once per round on every replica.
        ["Scheduling:SweepIntervalSeconds"] = "3600",
        ["Scheduling:SweepLeaseSeconds"] = "12",
    };

    private readonly Random _random = new(seed);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 29, 0, 0, 0, TimeSpan.Zero));
    private readonly List<ControllerFactory> _replicas = [];
    private readonly List<SimHost> _hosts = [];
    private readonly Dictionary<string, EngineDefinition> _engines = [];
    private readonly Dictionary<Guid, int> _previousCounts = [];
    private Dictionary<string, string?> _settings = [];
    private string? _dataDirectory;
    private int _round;
    private int _engineSerial;

    /// <summary>Engines whose copies never come up (the engine inside never registers).</summary>
    private Guid _mute;

    /// <summary>Engines whose copies exit soon after they start.</summary>
    private Guid _crashy;

    /// <summary>The low-priority engine that fills the cluster (never at its desired count).</summary>
    private Guid _filler;

    public async Task RunAsync()
    {
        Log($"seed {seed}, {replicaCount} replica(s), {faultRounds} rounds of faults, then {HealRounds} to converge");
        await StartAsync();
        await CreateEnginesAsync();
        for (var i = 0; i < 12; i++)
        {
            await AddHostAsync(gpus: i % 4 == 0 ? 2 : 0);
        }

        for (_round = 1; _round <= faultRounds; _round++)
        {
            await InjectFaultsAsync();
            await PlayRoundAsync(faults: true);
        }

        Log("faults end");
        foreach (var host in _hosts)
        {
            host.SilentUntil = 0;
            host.IgnoreTerminatesUntil = 0;
        }

        for (var heal = 1; heal <= HealRounds; heal++, _round++)
        {
            await PlayRoundAsync(faults: false);
        }

        await AssertConvergedAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            host.Agent.Dispose();
        }

        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }

        if (_dataDirectory is not null)
        {
            try
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open by a pooled connection is cleaned up with the temp folder.
            }
        }
    }

    private void Log(string line) => log.WriteLine($"[{_round,4}] {line}");

    private ControllerFactory AnyReplica => _replicas[_random.Next(_replicas.Count)];

    private async Task StartAsync()
    {
        _settings = new Dictionary<string, string?>(Timeouts);
        var postgres = TestDatabase.PostgresConnectionString();
        if (postgres is not null)
        {
            _settings["Database:Provider"] = "Postgres";
            _settings["ConnectionStrings:Controller"] = TestDatabase.CreatePostgresDatabase(postgres);
        }
        else
        {
            _dataDirectory = Path.Combine(Path.GetTempPath(), "controller-tests", "sim-" + Guid.NewGuid().ToString("N"));
        }

        for (var i = 0; i < replicaCount; i++)
        {
            _replicas.Add(NewReplica());
        }

        await Task.CompletedTask;
    }

    private ControllerFactory NewReplica()
    {
        var replica = new ControllerFactory(_settings, _clock, _dataDirectory);
        _ = replica.Server; // start (and migrate) one after the other
        _dataDirectory ??= replica.DataDirectory;
        return replica;
    }

    private async Task RestartReplicaAsync()
    {
        var index = _random.Next(_replicas.Count);
        Log($"controller replica {index} restarts");
        var old = _replicas[index];
        await old.DisposeAsync();
        _replicas[index] = NewReplica();
        foreach (var host in _hosts.Where(h => h.UsesReplica == old))
        {
            host.UseReplica(_replicas[index]);
        }
    }

    private async Task CreateEnginesAsync()
    {
        await CreateEngineAsync("web", 10, 1000, 1024, 0);
        await CreateEngineAsync("asr", 6, 2000, 4096, 0, update: new { maxSurge = "0", maxUnavailable = "1", healthyAfterSeconds = 10 });
        await CreateEngineAsync("vision", 2, 1000, 2048, 1, update: new { maxSurge = "1", maxUnavailable = "0", healthyAfterSeconds = 5, autoRevert = true });
        _mute = await CreateEngineAsync("mute", 2, 500, 512, 0);
        _crashy = await CreateEngineAsync("crashy", 1, 500, 512, 0);

        // Low priority, wanting more than the cluster holds: it takes every room left, so every copy the others lack
        // (a host died, a scale-up) is placed by preempting its copies.
        _filler = await CreateEngineAsync("filler", 60, 3000, 2048, 0, priority: 0);
    }

    private async Task<Guid> CreateEngineAsync(string name, int desired, int cpu, int memory, int gpus, int priority = 50, object? update = null)
    {
        using var admin = AnyReplica.Admin();
        var definition = new EngineDefinition(name, cpu, memory, gpus, desired, priority) { Update = update };
        var response = await admin.PostAsJsonAsync("/engine", definition.Body());
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), $"seed {seed}: create engine {name}: {await response.Content.ReadAsStringAsync()}");
        definition.Id = Guid.Parse((await response.ReadJsonAsync())["engineId"]!.GetValue<string>());
        _engines[name] = definition;
        Log($"engine {name} created with {desired} copies");
        return definition.Id;
    }

    private async Task AddHostAsync(int gpus)
    {
        var replica = AnyReplica;
        var machineId = $"machine-{_hosts.Count:D2}";
        var cpu = _random.Next(8, 17) * 1000;
        var memory = _random.Next(16, 33) * 1024;
        var (hostId, token) = await replica.RegisterHostAsync(machineId, cpu, memory, gpus, labels: new { zone = Zones[_hosts.Count % Zones.Length] });
        var agent = new Agent(replica, hostId, token, cpu, memory, gpus)
        {
            RunEngines = true,
            ReportRealAvailability = true,
            EngineComesUp = engineId => engineId != _mute,
        };
        _hosts.Add(new SimHost(machineId, agent, replica, gpus));
        Log($"host {machineId} registered: {cpu} mCPU, {memory} MiB, {gpus} GPU");
    }

    private async Task InjectFaultsAsync()
    {
        var live = _hosts.Where(h => !h.ShutDown).ToList();
        if (_round == faultRounds / 3)
        {
            // Most of the cluster falls silent at once for longer than grace and hold.
            foreach (var host in live.Where(h => !h.TerminatedByAdmin && _random.Next(3) > 0))
            {
                host.SilentUntil = _round + 14;
                Log($"host {host.MachineId} silent (majority outage) until round {host.SilentUntil}");
            }
        }

        if (_round == faultRounds / 2 || (_round == (faultRounds * 3) / 4 && replicaCount > 1))
        {
            await RestartReplicaAsync();
        }

        foreach (var host in live)
        {
            if (host.SilentUntil < _round && !host.TerminatedByAdmin && _random.NextDouble() < 0.02)
            {
                host.SilentUntil = _round + _random.Next(2, 12);
                host.RebootOnReturn = _random.Next(2) == 0;
                Log($"host {host.MachineId} silent until round {host.SilentUntil}{(host.RebootOnReturn ? ", comes back without its containers" : string.Empty)}");
            }

            if (host.Agent.Containers.Count > 0 && _random.NextDouble() < 0.04)
            {
                var victim = host.Agent.Containers.Keys.ElementAt(_random.Next(host.Agent.Containers.Count));
                host.Agent.Crash(victim);
                Log($"host {host.MachineId}: container of {victim} exits");
            }

            if (_random.NextDouble() < 0.02)
            {
                host.IgnoreTerminatesUntil = _round + _random.Next(1, 10);
                Log($"host {host.MachineId} ignores terminate orders until round {host.IgnoreTerminatesUntil}");
            }
        }

        using var admin = AnyReplica.Admin();
        var terminated = _hosts.Count(h => h.TerminatedByAdmin);
        if (terminated < 3 && _random.NextDouble() < 0.02)
        {
            // Mostly a host that is already dead; GPU hosts are kept, so that the GPU engine keeps a home.
            var candidates = live.Where(h => !h.TerminatedByAdmin && h.Gpus == 0).OrderByDescending(h => h.SilentUntil > _round).ThenBy(_ => _random.Next()).ToList();
            if (candidates.Count > 0)
            {
                var host = candidates[0];
                host.TerminatedByAdmin = true;
                var dead = host.SilentUntil >= _round;
                var response = await admin.PostAsync($"/host/{host.Agent.HostId}/terminate", null);
                Log($"admin terminates host {host.MachineId} ({(dead ? "dead: it never comes back" : "reporting")}): {(int)response.StatusCode}");
                host.ShutDown |= dead;
            }
        }

        if (_random.NextDouble() < 0.03)
        {
            var drainable = live.Where(h => !h.TerminatedByAdmin && !h.Draining).ToList();
            if (drainable.Count > 0 && _hosts.Count(h => h.Draining) < 2)
            {
                var host = drainable[_random.Next(drainable.Count)];
                var deadline = _random.Next(2) == 0 ? (int?)30 : null;
                host.Draining = true;
                var response = await admin.PostAsJsonAsync($"/host/{host.Agent.HostId}/drain", new { deadlineSeconds = deadline });
                Log($"admin drains host {host.MachineId} {(deadline is null ? "without deadline" : $"with a {deadline} s deadline")}: {(int)response.StatusCode}");
            }
        }

        if (_random.NextDouble() < 0.02)
        {
            var draining = _hosts.Where(h => h.Draining && !h.TerminatedByAdmin).ToList();
            if (draining.Count > 0)
            {
                var host = draining[_random.Next(draining.Count)];
                host.Draining = false;
                var response = await admin.PostAsync($"/host/{host.Agent.HostId}/undrain", null);
                Log($"admin undrains host {host.MachineId}: {(int)response.StatusCode}");
            }
        }

        if (_random.NextDouble() < 0.06)
        {
            var scalable = _engines.Values.Where(e => !e.Deleted && e.Id != _mute && e.Id != _crashy && e.Id != _filler).ToList();
            var engine = scalable[_random.Next(scalable.Count)];
            engine.Desired = _random.Next(0, engine.Gpus > 0 ? 4 : 13);
            var response = await admin.PutAsJsonAsync($"/engine/{engine.Id}", engine.Body());
            Log($"admin scales {engine.Name} to {engine.Desired}: {(int)response.StatusCode}");
        }

        if (_random.NextDouble() < 0.03)
        {
            var updatable = _engines.Values.Where(e => !e.Deleted && e.Id != _mute && e.Id != _crashy && e.Id != _filler).ToList();
            var engine = updatable[_random.Next(updatable.Count)];
            engine.Version++;
            var response = await admin.PutAsJsonAsync($"/engine/{engine.Id}", engine.Body());
            Log($"admin rolls out {engine.Name}:{engine.Version}: {(int)response.StatusCode}");
        }

        if (_random.NextDouble() < 0.03)
        {
            // Labels that no longer match move the copies on hosts of the other zone (make before break).
            var web = _engines["web"];
            web.Zone = _random.Next(3) switch { 0 => null, var z => Zones[z - 1] };
            var response = await admin.PutAsJsonAsync($"/engine/{web.Id}", web.Body());
            Log($"admin moves web to {(web.Zone is null ? "any zone" : "zone " + web.Zone)}: {(int)response.StatusCode}");
        }

        if (_random.NextDouble() < 0.015)
        {
            var deletable = _engines.Values.Where(e => !e.Deleted && e.Gpus == 0 && e.Id != _mute && e.Id != _crashy && e.Id != _filler).ToList();
            if (deletable.Count > 1)
            {
                var engine = deletable[_random.Next(deletable.Count)];
                engine.Deleted = true;
                var response = await admin.DeleteAsync($"/engine/{engine.Id}");
                Log($"admin deletes engine {engine.Name}: {(int)response.StatusCode}");
                await CreateEngineAsync($"batch-{++_engineSerial}", _random.Next(1, 8), 1000 * _random.Next(1, 3), 1024, 0);
            }
        }
    }

    private async Task PlayRoundAsync(bool faults)
    {
        var statesBefore = await ReadAsync(db => db.Hosts.AsNoTracking().ToDictionaryAsync(h => h.Id, h => h.State));
        var instancesBefore = await ReadAsync(db => db.EngineInstances.AsNoTracking().Select(i => i.Id).ToListAsync());
        var upBefore = (await ReadAsync(db => db.EngineInstances.AsNoTracking().ToListAsync())).Where(i => i.IsUp).Select(i => i.Id).ToHashSet();

        foreach (var host in _hosts.Where(h => !h.ShutDown).OrderBy(_ => _random.Next()))
        {
            if (host.SilentUntil >= _round)
            {
                host.MarkSilent();
                continue;
            }

            if (host.CameBack())
            {
                Log($"host {host.MachineId} reports again{(host.RebootOnReturn ? " after a reboot: its containers are gone" : string.Empty)}");
                if (host.RebootOnReturn)
                {
                    host.Agent.LoseAllContainers();
                    host.RebootOnReturn = false;
                }
            }

            // The crash-looping engine's copies exit once they have run for a round.
            foreach (var (id, _) in host.Agent.Containers.Where(c => c.Value.State == "running" && Guid.Parse(c.Value.Launch["engineId"]!.GetValue<string>()) == _crashy).ToList())
            {
                host.Agent.Crash(id);
            }

            host.UseReplica(AnyReplica);
            host.Agent.CarryOutTerminates = host.IgnoreTerminatesUntil < _round;
            var loseAnswer = faults && _random.NextDouble() < 0.05;
            var answer = await host.Agent.ReportAsync(carryOut: !loseAnswer);
            if (loseAnswer)
            {
                Log($"host {host.MachineId}: answer lost");
            }
            else if (faults && _random.NextDouble() < 0.05)
            {
                answer = await host.Agent.ReportAsync();
                Log($"host {host.MachineId}: report repeated");
            }

            if (!loseAnswer && answer["mode"]!.GetValue<string>() == "terminate")
            {
                host.ShutDown = true;
                Log($"host {host.MachineId} is told to shut down and does");
            }
        }

        _clock.Advance(TimeSpan.FromSeconds(Interval));
        foreach (var replica in _replicas)
        {
            await replica.Services.GetRequiredService<SweepService>().TickAsync(CancellationToken.None);
        }

        await AssertSafeAsync(statesBefore, [.. instancesBefore], upBefore);
    }

    private Task<T> ReadAsync<T>(Func<Controller.Infrastructure.Persistence.ControllerDbContext, Task<T>> read) => _replicas[0].WithDbAsync(read);

    private string Context => $"seed {seed}, round {_round}";

    private async Task AssertSafeAsync(Dictionary<Guid, HostState> statesBefore, HashSet<Guid> instancesBefore, HashSet<Guid> upBefore)
    {
        var (engines, instances, hosts) = await ReadAsync(async db => (
            await db.Engines.AsNoTracking().ToListAsync(),
            await db.EngineInstances.AsNoTracking().ToListAsync(),
            await db.Hosts.AsNoTracking().ToListAsync()));
        foreach (var engine in engines)
        {
            var copies = instances.Where(i => i.EngineId == engine.Id && i.IsActive).ToList();
            var counted = copies.Count;
            var current = copies.Count(i => i.Revision == engine.Revision);
            Assert.That(engine.ActiveInstances, Is.EqualTo(counted), $"{Context}: {engine.Name}'s count matches its instances");
            Assert.That(engine.CurrentInstances, Is.EqualTo(current), $"{Context}: {engine.Name}'s count of current copies matches its instances");
            if (counted > _previousCounts.GetValueOrDefault(engine.Id))
            {
                // Above the desired count only by the surge, and only while outdated copies are still up.
                var surge = current < counted ? engine.UpdatePolicy.SurgeFor(engine.DesiredInstances) : 0;
                Assert.That(counted, Is.LessThanOrEqualTo(engine.Target + surge), $"{Context}: {engine.Name} launched above its desired count + maxSurge");
                Assert.That(current, Is.LessThanOrEqualTo(engine.Target), $"{Context}: {engine.Name} launched more copies of its revision than desired");
            }

            _previousCounts[engine.Id] = counted;
            AssertRolloutStopsKeptTheBound(engine, instances, upBefore);
        }

        foreach (var host in hosts)
        {
            var holding = instances.Where(i => i.HostId == host.Id && i.HoldsResources).ToList();
            var used = holding.Aggregate(Resources.Zero, (sum, i) => sum + i.Resources);
            Assert.That(host.Capacity.Fits(used), Is.True, $"{Context}: host {host.Hostname} overfilled");
            var launched = instances.Where(i => i.HostId == host.Id && !instancesBefore.Contains(i.Id)).ToList();
            if (launched.Count > 0)
            {
                Assert.That(statesBefore.GetValueOrDefault(host.Id), Is.AnyOf(HostState.Active, HostState.Lost),
                    $"{Context}: launch on host {host.Hostname} that was {statesBefore.GetValueOrDefault(host.Id)}");
            }
        }

        // Every drain ends by its deadline (its own, or the default): a host that reports, and carries out its terminate
        // orders, is not left draining past it (one that ignored them gets its copies counted stopped after StopTimeout).
        var reporting = _hosts.Where(h => !h.ShutDown && h.SilentUntil < _round - 2 && h.IgnoreTerminatesUntil < _round - (StopTimeout / Interval) - 2)
            .Select(h => h.Agent.HostId).ToHashSet();
        foreach (var host in hosts.Where(h => h.State == HostState.Draining && reporting.Contains(h.Id)))
        {
            Assert.That(host.DrainDeadline, Is.Not.Null.And.GreaterThan(_clock.GetUtcNow() - TimeSpan.FromSeconds(3 * Interval)),
                $"{Context}: host {host.Hostname} still drains past its deadline");
        }

        foreach (var host in _hosts.Where(h => !h.ShutDown))
        {
            var gpus = host.Agent.Containers.Values.SelectMany(c => c.Launch["gpuIndexes"]!.AsArray().Select(g => g!.GetValue<int>())).ToList();
            Assert.That(gpus, Is.Unique, $"{Context}: a GPU index given to two containers on {host.MachineId}");
            var cpu = host.Agent.Containers.Values.Where(c => c.State != "exited").Sum(c => c.Launch["resources"]!["cpuMillicores"]!.GetValue<int>());
            Assert.That(cpu, Is.LessThanOrEqualTo(host.Agent.Cpu), $"{Context}: containers on {host.MachineId} need more CPU than it has");
        }
    }

    /// <summary>
    /// Healthy outdated copies stopped by the rollout in this round left at least desired − maxUnavailable healthy copies
    /// (copies not yet healthy are replaced at any time), unless copies of the engine also failed or were lost in the
    /// round (a fault, not the rollout).
    /// </summary>
    private void AssertRolloutStopsKeptTheBound(Engine engine, List<EngineInstance> instances, HashSet<Guid> upBefore)
    {
        var roundAt = _clock.GetUtcNow() - TimeSpan.FromSeconds(Interval);
        var healthySince = Controller.Domain.Scheduling.RollingUpdate.HealthySince(engine, roundAt);
        var mine = instances.Where(i => i.EngineId == engine.Id).ToList();
        var justEnded = mine.Where(i => upBefore.Contains(i.Id) && !i.IsUp).ToList();
        var healthyStopped = justEnded.Where(i => i.StopReason == Controller.Domain.Scheduling.Scheduler.ReasonRollingUpdate && i.RunningSince <= healthySince);
        if (engine.State != EngineState.Active || !healthyStopped.Any()
            || justEnded.Any(i => i.State is EngineInstanceState.Failed or EngineInstanceState.Lost) || mine.Any(i => i.Displaced))
        {
            return;
        }

        var healthy = mine.Count(i => i.IsActive && Controller.Domain.Scheduling.RollingUpdate.IsHealthy(i.State, i.RunningSince, healthySince));
        var bound = engine.Target - engine.UpdatePolicy.UnavailableFor(engine.Target);
        var copies = string.Join("; ", mine.Where(i => i.IsUp || justEnded.Contains(i))
            .Select(i => $"{i.Id.ToString()[^6..]} r{i.Revision} {i.State} on {i.HostId.ToString()[^6..]} running since {i.RunningSince:HH:mm:ss} {i.StopReason}"));
        Assert.That(healthy, Is.GreaterThanOrEqualTo(bound), $"{Context}: a rollout stop took {engine.Name} below desired − maxUnavailable healthy copies (round at {roundAt:HH:mm:ss}): {copies}");
    }

    private async Task AssertConvergedAsync()
    {
        var now = _clock.GetUtcNow();
        var (engines, instances, hosts) = await ReadAsync(async db => (
            await db.Engines.AsNoTracking().ToListAsync(),
            await db.EngineInstances.AsNoTracking().ToListAsync(),
            await db.Hosts.AsNoTracking().ToListAsync()));
        var slack = TimeSpan.FromSeconds(2 * Interval);
        Assert.Multiple(() =>
        {
            foreach (var host in hosts)
            {
                Assert.That(host.State, Is.Not.AnyOf(HostState.Terminating, HostState.Draining, HostState.Lost), $"{Context}: host {host.Hostname} did not finish");
            }

            foreach (var engine in engines)
            {
                if (engine.State == EngineState.Deleting)
                {
                    Assert.Fail($"{Context}: engine {engine.Name} was never finished deleting");
                    continue;
                }

                if (engine.State == EngineState.Deleted || engine.Id == _mute || engine.Id == _crashy)
                {
                    continue;
                }

                if (engine.Id == _filler)
                {
                    // It wants more than fits: it holds what the others leave, and is preempted for them.
                    Assert.That(engine.ActiveInstances, Is.GreaterThan(0).And.LessThanOrEqualTo(engine.Target), $"{Context}: {engine.Name} holds the room left");
                    continue;
                }

                var running = instances.Count(i => i.EngineId == engine.Id && i.IsActive && i.State == EngineInstanceState.Running);
                Assert.That(engine.ActiveInstances, Is.EqualTo(engine.Target), $"{Context}: {engine.Name} is at its desired count");
                Assert.That(running, Is.EqualTo(engine.Target), $"{Context}: every copy of {engine.Name} runs");
                Assert.That((engine.RollingOut, engine.OutdatedInstances), Is.EqualTo((false, 0)), $"{Context}: {engine.Name}'s rollout finished or reverted");
                var misplaced = instances.Where(i => i.EngineId == engine.Id && i.IsUp && !engine.AcceptsHostLabels(hosts.Single(h => h.Id == i.HostId).Labels));
                Assert.That(misplaced.Select(i => i.Id), Is.Empty, $"{Context}: every copy of {engine.Name} runs on a host its labels match");
            }

            foreach (var instance in instances)
            {
                var age = now - instance.StateChangedAt;
                var limit = instance.State switch
                {
                    EngineInstanceState.Pending => TimeSpan.FromSeconds(LaunchTimeout),
                    EngineInstanceState.Starting => TimeSpan.FromSeconds(StartTimeout),
                    EngineInstanceState.Stopping => TimeSpan.FromSeconds(StopTimeout) + Controller.Domain.Scheduling.RollingUpdate.ExtraStopTime(instance),
                    _ => TimeSpan.MaxValue - slack,
                };
                Assert.That(age, Is.LessThanOrEqualTo(limit + slack), $"{Context}: instance {instance.Id} sat in {instance.State} for {age}");
            }

            foreach (var host in _hosts.Where(h => !h.ShutDown))
            {
                var own = instances.Where(i => i.HostId == host.Agent.HostId && i.HoldsResources).Select(i => i.Id).ToHashSet();
                Assert.That(host.Agent.Containers.Keys.Where(id => !own.Contains(id)), Is.Empty, $"{Context}: containers outlived their instances on {host.MachineId}");
            }
        });
        var preempted = instances.Count(i => i.StopReason == Controller.Domain.Scheduling.Scheduler.ReasonPreempted);
        Assert.That(preempted, Is.GreaterThan(0), $"{Context}: the filler's copies were preempted to place the others'");
        var replaced = instances.Count(i => i.StopReason == Controller.Domain.Scheduling.Scheduler.ReasonRollingUpdate);
        Log($"converged ({preempted} copies were preempted and {replaced} replaced by rollouts on the way)");
    }

    /// <summary>One simulated machine and what the simulation does to it.</summary>
    private sealed class SimHost(string machineId, Agent agent, ControllerFactory replica, int gpus)
    {
        private bool _wasSilent;

        public string MachineId { get; } = machineId;

        public Agent Agent { get; } = agent;

        public int Gpus { get; } = gpus;

        public ControllerFactory UsesReplica { get; private set; } = replica;

        public int SilentUntil { get; set; }

        public bool RebootOnReturn { get; set; }

        public int IgnoreTerminatesUntil { get; set; }

        public bool TerminatedByAdmin { get; set; }

        public bool Draining { get; set; }

        public bool ShutDown { get; set; }

        public void UseReplica(ControllerFactory replica)
        {
            UsesReplica = replica;
            Agent.UseReplica(replica);
        }

        /// <summary>True on the first report after a silence.</summary>
        public bool CameBack()
        {
            var back = _wasSilent;
            _wasSilent = false;
            return back;
        }

        public void MarkSilent() => _wasSilent = true;
    }

    private sealed class EngineDefinition(string name, int cpu, int memory, int gpus, int desired, int priority)
    {
        public Guid Id { get; set; }

        public string Name { get; } = name;

        public int Gpus { get; } = gpus;

        public int Desired { get; set; } = desired;

        public bool Deleted { get; set; }

        public int Version { get; set; } = 1;

        public object? Update { get; init; }

        /// <summary>The zone its copies must run in (any when null).</summary>
        public string? Zone { get; set; }

        public object Body() => new
        {
            hostLabels = Zone is null ? null : new Dictionary<string, string> { ["zone"] = Zone },
            name = Name,
            image = $"registry/{Name}:{Version}",
            update = Update,
            resources = new { cpuMillicores = cpu, memoryMiB = memory, gpuCount = Gpus },
            priority,
            minInstances = 0,
            maxInstances = 100,
            desiredInstances = Desired,
        };
    }
}

/// <summary>The log of a simulation, printed whole when it fails.</summary>
internal sealed class SimulationLog : StringWriter
{
    public SimulationLog()
        : base(new StringBuilder(), CultureInfo.InvariantCulture)
    {
    }
}
