using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Controller.Api.Tests.Infrastructure;

/// <summary>A simulated agent: carries out launch and terminate orders and reports its containers.</summary>
public sealed class Agent(ControllerFactory factory, Guid hostId, string token, int cpu = 16000, int memory = 65536, int gpus = 0) : IDisposable
{
    private ControllerFactory _factory = factory;
    private HttpClient _client = factory.ClientWith(token);

    /// <summary>From now on, report (and let its engines call) through another controller replica.</summary>
    public void UseReplica(ControllerFactory replica)
    {
        if (ReferenceEquals(replica, _factory))
        {
            return;
        }

        _client.Dispose();
        _factory = replica;
        _client = replica.ClientWith(token);
    }

    public int ConflictsRetried { get; private set; }

    public Guid HostId { get; } = hostId;

    public string Token => token;

    /// <summary>Running containers by engine instance id: container id and state.</summary>
    public Dictionary<Guid, (string ContainerId, string State, JsonObject Launch)> Containers { get; } = [];

    public JsonObject? LastAnswer { get; private set; }

    /// <summary>When true, the engine in every launched container registers and then heartbeats before each report.</summary>
    public bool RunEngines { get; set; }

    /// <summary>When false, terminate orders are ignored (a stuck container runtime).</summary>
    public bool CarryOutTerminates { get; set; } = true;

    /// <summary>Whether the engine of a launched container (by engine id) comes up: register and heartbeat. Others stay silent.</summary>
    public Func<Guid, bool> EngineComesUp { get; set; } = _ => true;

    /// <summary>A launch for which this is true starts a container that exits at once (a broken image).</summary>
    public Func<JsonObject, bool> CrashesOnStart { get; set; } = _ => false;

    /// <summary>When true, the report's available resources are the capacity less the containers it runs (else the full capacity).</summary>
    public bool ReportRealAvailability { get; set; }

    public int Cpu => cpu;

    public int Memory => memory;

    public int Gpus => gpus;

    private static Guid EngineOf(JsonObject launch) => Guid.Parse(launch["engineId"]!.GetValue<string>());

    public static async Task<Agent> RegisterAsync(ControllerFactory factory, int cpu = 16000, int memory = 65536, int gpus = 0, object? labels = null)
    {
        var (hostId, token) = await factory.RegisterHostAsync(cpu: cpu, memory: memory, gpus: gpus, labels: labels);
        return new Agent(factory, hostId, token, cpu, memory, gpus);
    }

    /// <summary>Report, then carry out what the answer says (launch = start a container, terminate = remove it).</summary>
    public async Task<JsonObject> ReportAsync(bool carryOut = true)
    {
        if (RunEngines)
        {
            await HeartbeatEnginesAsync();
        }

        var containers = Containers.Select(c => (object)new
        {
            containerId = c.Value.ContainerId,
            engineInstanceId = c.Key,
            state = c.Value.State,
            exitCode = c.Value.State == "exited" ? (int?)1 : null,
        }).ToList();
        var (freeCpu, freeMemory, freeGpus) = (cpu, memory, gpus);
        if (ReportRealAvailability)
        {
            foreach (var launch in Containers.Values.Where(c => c.State != "exited").Select(c => c.Launch))
            {
                freeCpu -= launch["resources"]!["cpuMillicores"]!.GetValue<int>();
                freeMemory -= launch["resources"]!["memoryMiB"]!.GetValue<int>();
                freeGpus -= launch["gpuIndexes"]!.AsArray().Count;
            }
        }

        var body = ApiClient.Status(Math.Max(0, freeCpu), Math.Max(0, freeMemory), Math.Max(0, freeGpus), containers);
        var response = await _client.PostAsJsonAsync($"/host/{HostId}/updatestatus", body);
        for (var retry = 0; response.StatusCode == HttpStatusCode.Conflict && retry < 5; retry++)
        {
            // 409 concurrent_update: the controller lost races too often this time; an agent repeats the report.
            ConflictsRetried++;
            response = await _client.PostAsJsonAsync($"/host/{HostId}/updatestatus", body);
        }
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        LastAnswer = await response.ReadJsonAsync();
        if (carryOut)
        {
            foreach (var order in LastAnswer["terminate"]!.AsArray())
            {
                if (CarryOutTerminates)
                {
                    Containers.Remove(Guid.Parse(order!["engineInstanceId"]!.GetValue<string>()));
                }
            }

            foreach (var launch in LastAnswer["launch"]!.AsArray())
            {
                var id = Guid.Parse(launch!["engineInstanceId"]!.GetValue<string>());
                if (CrashesOnStart(launch.AsObject()))
                {
                    Containers.TryAdd(id, ("c-" + id.ToString("N")[..12], "exited", launch.AsObject()));
                    continue;
                }

                if (Containers.TryAdd(id, ("c-" + id.ToString("N")[..12], "running", launch.AsObject())) && RunEngines && EngineComesUp(EngineOf(launch.AsObject())))
                {
                    using var engine = _factory.ClientWith(launch["environment"]!["ENGINE_INSTANCE_TOKEN"]!.GetValue<string>());
                    await engine.PostAsync($"/engine_instance/{id}/register", null);
                }
            }
        }

        return LastAnswer;
    }

    /// <summary>Every running engine says it is alive (answers are not checked: an engine whose copy ended gets 401).</summary>
    public async Task HeartbeatEnginesAsync()
    {
        foreach (var (id, container) in Containers.Where(c => c.Value.State == "running" && EngineComesUp(EngineOf(c.Value.Launch))).ToList())
        {
            using var engine = _factory.ClientWith(container.Launch["environment"]!["ENGINE_INSTANCE_TOKEN"]!.GetValue<string>());
            await engine.PostAsJsonAsync($"/engine_instance/{id}/heartbeat", new { busy = false });
        }
    }

    /// <summary>The agent restarts and its container runtime lost every container.</summary>
    public void LoseAllContainers() => Containers.Clear();

    public IEnumerable<Guid> InstancesOf(Guid engineId) =>
        Containers.Where(c => c.Value.Launch["engineId"]!.GetValue<string>() == engineId.ToString()).Select(c => c.Key);

    public void Crash(Guid instanceId) => Containers[instanceId] = Containers[instanceId] with { State = "exited" };

    public void Dispose() => _client.Dispose();
}
