using System.Reflection;
using Controller.Agent.Drivers;
using Controller.Agent.Identity;
using Controller.Agent.Machine;
using Controller.Client;
using Controller.Client.Models;
using Microsoft.Extensions.Options;
using Microsoft.Kiota.Abstractions;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Controller.Agent;

/// <summary>
/// The agent's loop, as the kubelet's: register (or re-register with the host's own token after a restart), then
/// report at the interval the controller tells, with what is free and every managed engine, and carry out the
/// answer: start each launch once (by instance id), stop what is to terminate (stop signal, kill after its grace),
/// forget what ended once told. <c>mode: terminate</c> stops every engine and ends the agent with 0. A controller
/// that cannot be reached leaves every engine running; the call is retried with back-off by the HTTP pipeline, then
/// the next report goes at the next interval. A refused host token ends the agent with 3, leaving nothing running.
/// </summary>
public sealed partial class StatusLoop(
    HttpClient http,
    IEngineDriver driver,
    HostIdentityStore identity,
    MachineInspector machine,
    IOptions<AgentOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider clock,
    ILogger<StatusLoop> logger) : BackgroundService
{
    /// <summary>Exit codes: 0 told to terminate; 2 misconfigured or not registrable; 3 the controller refused the host's token.</summary>
    public const int ExitMisconfigured = 2;
    public const int ExitTokenRefused = 3;

    public static readonly string AgentVersion =
        typeof(StatusLoop).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    private static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5);
    private ControllerApiClient? _client;
    private string? _bearer;
    private TimeSpan _interval = DefaultInterval;

    private ControllerApiClient Client => _client ??= ControllerClients.Create(http, options.Value.ControllerUrl!, () => _bearer);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarting(logger, AgentVersion, options.Value.Driver, driver.Isolation, options.Value.ControllerUrl!);
        try
        {
            var hostId = await RegisterAsync(stoppingToken);
            while (await RoundAsync(hostId, stoppingToken) is { } next)
            {
                await Task.Delay(next, clock, stoppingToken);
            }

            Environment.ExitCode = 0;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            LogStopped(logger); // the agent stops; its engines keep running and are found again at its next start
        }
        catch (AgentFatalException e)
        {
            LogFatal(logger, e.Message);
            Environment.ExitCode = ExitMisconfigured;
        }
        catch (Exception e) when (e.Is(401))
        {
            LogTokenRefused(logger, identity.Path, e.Message);
            await StopEverythingAsync(CancellationToken.None);
            Environment.ExitCode = ExitTokenRefused;
        }

        lifetime.StopApplication();
    }

    /// <summary>Registers (201, identity saved before use) or re-registers with the saved host token (200, same id).</summary>
    internal async Task<Guid> RegisterAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var saved = identity.Current;
            _bearer = saved?.Token ?? options.Value.ReadRegistrationToken()
                ?? throw new AgentFatalException($"No host identity in {identity.Path} and no Agent:RegistrationToken or Agent:RegistrationTokenFile to register with.");
            var engines = await driver.ListAsync(cancellationToken);
            try
            {
                var answer = await Client.Host.Register.PostAsync(RegisterBody(engines), cancellationToken: cancellationToken)
                    ?? throw new AgentFatalException("The controller answered the registration with no body.");
                var hostId = answer.HostId!.Value;
                if (saved is null || saved.HostId != hostId || answer.Token is { Length: > 0 })
                {
                    identity.Save(new HostIdentity(hostId, answer.Token ?? saved!.Token, clock.GetUtcNow()));
                }

                _bearer = identity.Current!.Token;
                _interval = Interval(answer.StatusIntervalSeconds);
                LogRegistered(logger, hostId, answer.Created == true ? "registered" : "re-registered with its own token", engines.Count);
                return hostId;
            }
            catch (Exception e) when (e.Is(409, "host_already_registered"))
            {
                var existing = (e as ErrorResponse)?.ErrorDetail?.AdditionalData.TryGetValue("hostId", out var id) == true ? id : "?";
                throw new AgentFatalException(
                    $"This machine is already registered as host {existing}, and this agent has no token for it ({identity.Path} is missing). " +
                    $"Restore that file, or terminate the old host (POST /host/{existing}/terminate) and start the agent again.");
            }
            catch (Exception e) when (e.Is(401) && saved is null)
            {
                throw new AgentFatalException($"The controller refused the registration token: {e.Message}");
            }
            catch (Exception e) when (IsTransient(e, cancellationToken))
            {
                LogUnreachable(logger, e.Message, _interval.TotalSeconds);
                await Task.Delay(_interval, clock, cancellationToken);
            }
        }
    }

    /// <summary>One report and its answer carried out; the delay before the next, or null once told to terminate.</summary>
    internal async Task<TimeSpan?> RoundAsync(Guid hostId, CancellationToken cancellationToken)
    {
        await RotateIfDueAsync(hostId, cancellationToken);
        _bearer = identity.Current?.Token ?? _bearer;
        var engines = await driver.ListAsync(cancellationToken);
        HostStatusResponse answer;
        try
        {
            answer = await Client.Host[hostId].Updatestatus.PostAsync(StatusBody(engines), cancellationToken: cancellationToken)
                ?? new HostStatusResponse { Mode = HostMode.Continue };
        }
        catch (Exception e) when (IsTransient(e, cancellationToken))
        {
            LogUnreachable(logger, e.Message, _interval.TotalSeconds);
            return _interval;
        }

        _interval = Interval(answer.StatusIntervalSeconds);
        await ApplyAsync(answer, engines, cancellationToken);
        if (answer.Mode == HostMode.Terminate)
        {
            LogTerminate(logger);
            await StopEverythingAsync(cancellationToken);
            return null;
        }

        return _interval;
    }

    /// <summary>Carries out an answer against what the driver listed just before the report.</summary>
    internal async Task ApplyAsync(HostStatusResponse answer, IReadOnlyList<ManagedEngine> engines, CancellationToken cancellationToken)
    {
        foreach (var order in answer.Terminate ?? [])
        {
            var engine = engines.FirstOrDefault(e => e.InstanceId == order.EngineInstanceId)
                ?? engines.FirstOrDefault(e => e.ContainerId == order.ContainerId);
            if (engine is null)
            {
                continue;
            }

            if (engine.IsUp)
            {
                await driver.StopAsync(engine.InstanceId, TimeSpan.FromSeconds(order.StopGraceSeconds ?? engine.StopGraceSeconds), cancellationToken);
            }
            else
            {
                await driver.ForgetAsync(engine.InstanceId, cancellationToken);
            }
        }

        var known = engines.Select(e => e.InstanceId).ToHashSet();
        foreach (var order in answer.Launch ?? [])
        {
            // Level-triggered orders come again until a report shows the copy: start each instance once.
            if (order.EngineInstanceId is { } id && known.Add(id))
            {
                await driver.StartAsync(ToLaunch(order), cancellationToken);
            }
        }
    }

    /// <summary>Stops every managed engine (each with its grace) and waits until none runs.</summary>
    internal async Task StopEverythingAsync(CancellationToken cancellationToken)
    {
        var engines = await driver.ListAsync(cancellationToken);
        foreach (var engine in engines.Where(e => e.IsUp))
        {
            await driver.StopAsync(engine.InstanceId, TimeSpan.FromSeconds(engine.StopGraceSeconds), cancellationToken);
        }

        var deadline = clock.GetUtcNow() + TimeSpan.FromSeconds(engines.Select(e => e.StopGraceSeconds).DefaultIfEmpty(0).Max() + 10);
        while ((engines = await driver.ListAsync(cancellationToken)).Any(e => e.IsUp) && clock.GetUtcNow() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), clock, cancellationToken);
        }

        foreach (var engine in engines.Where(e => !e.IsUp))
        {
            await driver.ForgetAsync(engine.InstanceId, cancellationToken);
        }
    }

    /// <summary>Rotates the host token once it is older than <c>Agent:RotateTokenAfterHours</c>.</summary>
    private async Task RotateIfDueAsync(Guid hostId, CancellationToken cancellationToken)
    {
        var hours = options.Value.RotateTokenAfterHours;
        if (hours > 0 && identity.Current is { } current && clock.GetUtcNow() - current.IssuedAt >= TimeSpan.FromHours(hours))
        {
            try
            {
                await TokenRotation.RotateAsync(Client, identity, hostId, clock, cancellationToken);
                LogRotated(logger);
            }
            catch (Exception e) when (IsTransient(e, cancellationToken))
            {
                LogUnreachable(logger, e.Message, _interval.TotalSeconds); // the old token works: tried again next round
            }
        }
    }

    private RegisterHostRequest RegisterBody(IReadOnlyList<ManagedEngine> engines)
    {
        var facts = machine.Inspect();
        var reserved = options.Value.Reserved;
        var labels = new RegisterHostRequest_labels();
        foreach (var (key, value) in options.Value.Labels)
        {
            labels.AdditionalData[key] = value;
        }

        return new RegisterHostRequest
        {
            MachineId = facts.MachineId,
            Hostname = facts.Hostname,
            IpAddresses = [.. facts.IpAddresses],
            AgentVersion = AgentVersion,
            Labels = labels,
            Capacity = new CapacityRequest
            {
                CpuMillicores = Math.Max(0, facts.CpuMillicores - reserved.CpuMillicores),
                MemoryMiB = Math.Max(0, facts.MemoryMiB - reserved.MemoryMiB),
                GpuCount = facts.Gpus.Count,
                DiskMiB = facts.DiskMiB,
                Gpus = [.. facts.Gpus.Select(g => new GpuRequest { Index = g.Index, Model = g.Model, MemoryMiB = g.MemoryMiB })],
            },
            Containers = [.. engines.Select(ToReport)],
        };
    }

    /// <summary>Free: what the host offers (less the reserve) less what its running engines were given; the data directory's free disk.</summary>
    private UpdateStatusRequest StatusBody(IReadOnlyList<ManagedEngine> engines)
    {
        var facts = machine.Inspect();
        var reserved = options.Value.Reserved;
        var up = engines.Where(e => e.IsUp).ToList();
        return new UpdateStatusRequest
        {
            Available = new ResourcesRequest
            {
                CpuMillicores = Math.Max(0, facts.CpuMillicores - reserved.CpuMillicores - up.Sum(e => e.CpuMillicores)),
                MemoryMiB = Math.Max(0, facts.MemoryMiB - reserved.MemoryMiB - up.Sum(e => e.ReservedMemoryMiB)),
                GpuCount = Math.Max(0, facts.Gpus.Count - up.SelectMany(e => e.GpuIndexes).Distinct().Count()),
                DiskMiB = facts.FreeDiskMiB,
            },
            Containers = [.. engines.Select(ToReport)],
        };
    }

    private static ContainerReport ToReport(ManagedEngine engine) => new()
    {
        ContainerId = engine.ContainerId,
        EngineInstanceId = engine.InstanceId,
        State = engine.State switch
        {
            EngineRunState.Created => ContainerState.Created,
            EngineRunState.Running => ContainerState.Running,
            _ => ContainerState.Exited,
        },
        ExitCode = engine.ExitCode,
        CpuPercent = engine.CpuPercent,
        MemoryMiB = engine.MemoryMiB,
    };

    private static EngineLaunch ToLaunch(LaunchOrder order) => new(
        order.EngineInstanceId!.Value,
        order.EngineId ?? Guid.Empty,
        order.Image ?? string.Empty,
        order.Command,
        order.Environment?.AdditionalData.ToDictionary(e => e.Key, e => e.Value?.ToString() ?? string.Empty) ?? [],
        order.Resources?.CpuMillicores ?? 0,
        order.Resources?.MemoryMiB ?? 0,
        [.. (order.GpuIndexes ?? []).OfType<int>()],
        order.StopGraceSeconds ?? 30);

    private static TimeSpan Interval(int? seconds) => seconds is > 0 ? TimeSpan.FromSeconds(seconds.Value) : DefaultInterval;

    /// <summary>The controller could not be reached or could not serve the call (after the pipeline's retries): try again later.</summary>
    private static bool IsTransient(Exception e, CancellationToken cancellationToken) => e switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested => false,
        HttpRequestException or TimeoutRejectedException or BrokenCircuitException or OperationCanceledException => true,
        ApiException api => api.ResponseStatusCode is 408 or 429 or >= 500,
        _ => false,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {Version} starting: driver {Driver} (CPU and memory limits: {Isolation}), controller {ControllerUrl}.")]
    private static partial void LogStarting(ILogger logger, string version, AgentDriver driver, string isolation, Uri controllerUrl);

    [LoggerMessage(Level = LogLevel.Information, Message = "Host {HostId} {How}; {Engines} engine(s) already running here.")]
    private static partial void LogRegistered(ILogger logger, Guid hostId, string how, int engines);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The controller cannot be reached or cannot serve the call ({Error}); engines keep running; next try in {Seconds} s.")]
    private static partial void LogUnreachable(ILogger logger, string error, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "The controller says this host terminates: stopping every engine, then exiting.")]
    private static partial void LogTerminate(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "The host token was rotated; the new one is saved and in use.")]
    private static partial void LogRotated(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent stopping; its engines keep running and are found again when it starts.")]
    private static partial void LogStopped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Critical, Message = "{Message}")]
    private static partial void LogFatal(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The controller refused this host's token ({Error}): it was revoked or the host was terminated. Every engine is stopped and the agent exits. To join again as a new host, remove {IdentityFile} and start the agent with a registration token.")]
    private static partial void LogTokenRefused(ILogger logger, string identityFile, string error);
}

/// <summary>The agent cannot go on (configuration, or the controller will not take this host); the message says what to do.</summary>
public sealed class AgentFatalException(string message) : Exception(message);
