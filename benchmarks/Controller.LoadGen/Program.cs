// Load generator for the status hot path: registers N simulated hosts, then sends status reports at a fixed
// total rate for a while (each host reports every N/rate seconds, carrying out launch and terminate orders),
// and prints the achieved rate and latency percentiles. With --churn N an engine is scaled from 0 to N copies when the
// measured run starts and back to 0 halfway through it. Only for a controller on this machine (loopback).
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

var options = Args.Parse(args);
var baseUri = new Uri(options.Get("url", "http://127.0.0.1:5080"));
if (!baseUri.IsLoopback)
{
    Console.Error.WriteLine("This load generator only targets a controller on this machine (loopback).");
    return 2;
}

var hosts = int.Parse(options.Get("hosts", "5000"), CultureInfo.InvariantCulture);
var rate = int.Parse(options.Get("rate", "1000"), CultureInfo.InvariantCulture);
var seconds = int.Parse(options.Get("duration", "30"), CultureInfo.InvariantCulture);
// Reports sent in the first warm-up seconds (every host's first full round, JIT) are not measured.
var warmup = int.Parse(options.Get("warmup", "0"), CultureInfo.InvariantCulture);
var engines = int.Parse(options.Get("engines", "10"), CultureInfo.InvariantCulture);
var concurrency = int.Parse(options.Get("concurrency", "256"), CultureInfo.InvariantCulture);
var admin = options.Get("admin-token", Environment.GetEnvironmentVariable("CONTROLLER_ADMIN_TOKEN") ?? "");
// Churn: one more engine, scaled from 0 to this many copies when the measured run starts and back to 0 halfway.
var churn = int.Parse(options.Get("churn", "0"), CultureInfo.InvariantCulture);
// With --warmup-churn N the same engine also goes from 0 to N copies and back during the warm-up (a quarter and half-way
// through it), so that the first measured churn does not also pay for compiling the code it runs (JIT, once per process).
var warmupChurn = int.Parse(options.Get("warmup-churn", "0"), CultureInfo.InvariantCulture);
// For a soak: --churn-every S repeats the churn for the whole run (up at 0, down at S seconds, up at 2S, ...), and
// --tasks-per-second T submits tasks to a work engine of --workers copies, which the simulated hosts run: each copy's
// engine takes a task with getwork and reports it done in its next call.
var churnEvery = int.Parse(options.Get("churn-every", "0"), CultureInfo.InvariantCulture);
// With --rollout 1 the churn engine's image changes halfway instead of its scale-down: every copy is replaced by a
// rolling update under the default policy (25 % above the desired count, none below, healthy after 10 s).
var rollout = options.Get("rollout", "0") != "0";
var tasksPerSecond = int.Parse(options.Get("tasks-per-second", "0"), CultureInfo.InvariantCulture);
var workerCount = int.Parse(options.Get("workers", "20"), CultureInfo.InvariantCulture);

using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
using var http = new HttpClient(handler) { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(30) };

async Task<JsonObject> PostAsync(string path, object body, string token)
{
    using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    using var response = await http.SendAsync(request);
    var text = await response.Content.ReadAsStringAsync();
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {text}");
    }

    return JsonNode.Parse(text)!.AsObject();
}

var run = Guid.NewGuid().ToString("N")[..8];
var errors = new ConcurrentDictionary<string, int>();
var clock = Stopwatch.StartNew();
var registration = (await PostAsync("/token", new { kind = "registration", name = $"loadgen {run}" }, admin))["token"]!.GetValue<string>();
for (var e = 0; e < engines; e++)
{
    await PostAsync("/engine", new
    {
        name = $"load-{run}-{e}", image = "registry/load:1", resources = new { cpuMillicores = 250, memoryMiB = 256 },
        priority = e, minInstances = 0, maxInstances = 100_000, desiredInstances = Math.Max(1, hosts / engines),
    }, admin);
}

var churnEngine = churn == 0 ? null : (await PostAsync("/engine", new
{
    name = $"churn-{run}", image = "registry/churn:1", resources = new { cpuMillicores = 250, memoryMiB = 256 },
    priority = 100, minInstances = 0, maxInstances = 100_000, desiredInstances = 0,
}, admin))["engineId"]!.GetValue<string>();

var workEngine = tasksPerSecond == 0 ? null : (await PostAsync("/engine", new
{
    name = $"work-{run}", image = "registry/work:1", resources = new { cpuMillicores = 100, memoryMiB = 64 },
    priority = 200, minInstances = 0, maxInstances = 100_000, desiredInstances = workerCount,
}, admin))["engineId"]!.GetValue<string>();
var tasksDone = 0L;
var stopping = new CancellationTokenSource();

// A copy of the work engine: its engine announces itself, then takes a task at a time until it is told to terminate.
async Task WorkAsync(Guid instanceId, string token)
{
    try
    {
        await PostAsync($"/engine_instance/{instanceId}/register", new { }, token);
        string? held = null;
        while (!stopping.IsCancellationRequested)
        {
            var completed = held is null ? [] : new[] { new { taskId = held, outcome = "succeeded", result = new { ok = true } } };
            var answer = await PostAsync($"/engine_instance/{instanceId}/getwork", new { completed, maxItems = 1 }, token);
            if (held is not null)
            {
                Interlocked.Increment(ref tasksDone);
            }

            held = answer["items"]!.AsArray().Select(i => i!["taskId"]!.GetValue<string>()).FirstOrDefault();
            var action = answer["action"]!.GetValue<string>();
            if (action == "terminate")
            {
                return;
            }

            if (action == "wait")
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), stopping.Token);
            }
        }
    }
    catch (Exception ex) when (ex is not OperationCanceledException)
    {
        errors.AddOrUpdate("worker " + ex.Message.Split(' ').Take(2).Aggregate((a, b) => a + " " + b), 1, (_, c) => c + 1);
    }
    catch (OperationCanceledException)
    {
    }
}

// Tasks at the asked rate, in batches ten times a second.
async Task SubmitTasksAsync()
{
    var tick = Stopwatch.StartNew();
    var submitted = 0L;
    while (!stopping.IsCancellationRequested)
    {
        var due = (long)(tick.Elapsed.TotalSeconds * tasksPerSecond) - submitted;
        if (due > 0)
        {
            var size = (int)Math.Min(500, due);
            try
            {
                await PostAsync("/task/batch", new { tasks = Enumerable.Range(0, size).Select(i => new { engineId = workEngine, payload = new { i } }) }, admin);
            }
            catch (Exception ex)
            {
                errors.AddOrUpdate("submit " + ex.Message.Split(' ').Take(2).Aggregate((a, b) => a + " " + b), 1, (_, c) => c + 1);
            }

            submitted += size;
        }

        await Task.Delay(100);
    }
}

async Task ScaleAsync(int desired)
{
    using var request = new HttpRequestMessage(HttpMethod.Patch, $"/engine/{churnEngine}")
    {
        Content = new StringContent($"{{\"desiredInstances\":{desired}}}", System.Text.Encoding.UTF8, "application/merge-patch+json"),
    };
    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
    using var response = await http.SendAsync(request);
    Console.WriteLine($"  {clock.Elapsed.TotalSeconds:F0}s: churn engine desired {desired} ({(int)response.StatusCode})");
}

async Task RollOutAsync()
{
    using var request = new HttpRequestMessage(HttpMethod.Patch, $"/engine/{churnEngine}")
    {
        Content = new StringContent("{\"image\":\"registry/churn:2\"}", System.Text.Encoding.UTF8, "application/merge-patch+json"),
    };
    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
    using var response = await http.SendAsync(request);
    Console.WriteLine($"  {clock.Elapsed.TotalSeconds:F0}s: churn engine rolls out a new image ({(int)response.StatusCode})");
}

Console.WriteLine($"registering {hosts} hosts...");
var agents = new ConcurrentBag<SimHost>();
await Parallel.ForEachAsync(Enumerable.Range(0, hosts), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
{
    var body = new
    {
        machineId = $"load-{run}-{i}", hostname = $"load-{i}", ipAddresses = new[] { "127.0.0.1" }, agentVersion = "loadgen",
        labels = new { zone = "a" }, capacity = new { cpuMillicores = 16000, memoryMiB = 65536, gpuCount = 0, diskMiB = 100000 }, containers = Array.Empty<object>(),
    };
    var answer = await PostAsync("/host/register", body, registration);
    agents.Add(new SimHost(Guid.Parse(answer["hostId"]!.GetValue<string>()), answer["token"]!.GetValue<string>()));
});

var all = agents.ToArray();
var latencies = new ConcurrentBag<double>();
var timeline = new ConcurrentBag<(double At, double Ms)>();
var gate = new SemaphoreSlim(concurrency);
var interval = TimeSpan.FromSeconds(1.0 / rate);
var total = rate * (warmup + seconds);
var measuredFrom = TimeSpan.FromSeconds(warmup);
Console.WriteLine($"sending {total} status reports at {rate}/s over {warmup}s of warm-up and {seconds}s measured, with up to {concurrency} in flight...");
clock.Restart();
var inflight = new List<Task>();
var submitter = workEngine is null ? Task.CompletedTask : Task.Run(SubmitTasksAsync);
var nextChurn = churnEngine is not null && churnEvery > 0 ? 0 : -1;
var churnHigh = false;
var churnUp = churnEngine is not null && churnEvery == 0 ? rate * warmup : -1;
var churnDown = churnEngine is not null && churnEvery == 0 ? rate * (warmup + seconds / 2) : -1;
var warmupUp = churnEngine is not null && warmupChurn > 0 ? rate * warmup / 4 : -1;
var warmupDown = churnEngine is not null && warmupChurn > 0 ? rate * warmup / 2 : -1;
for (var n = 0; n < total; n++)
{
    if (n == churnDown && rollout)
    {
        _ = RollOutAsync();
    }
    else if (n == churnUp || n == churnDown)
    {
        _ = ScaleAsync(n == churnUp ? churn : 0);
    }
    else if (n == warmupUp || n == warmupDown)
    {
        _ = ScaleAsync(n == warmupUp ? warmupChurn : 0);
    }

    if (nextChurn >= 0 && n == nextChurn)
    {
        churnHigh = !churnHigh;
        _ = ScaleAsync(churnHigh ? churn : 0);
        nextChurn += rate * churnEvery;
    }

    if (n % 10_000 == 0)
    {
        inflight.RemoveAll(t => t.IsCompleted); // a soak runs for an hour: keep only what is still in flight
    }

    var due = interval * n;
    var wait = due - clock.Elapsed;
    if (wait > TimeSpan.FromMilliseconds(1))
    {
        await Task.Delay(wait);
    }

    await gate.WaitAsync();
    var host = all[n % all.Length];
    var measured = due >= measuredFrom;
    inflight.Add(Task.Run(async () =>
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var answer = await PostAsync($"/host/{host.Id}/updatestatus", host.Report(), host.Token);
            if (measured)
            {
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                latencies.Add(ms);
                timeline.Add((due.TotalSeconds, ms));
            }

            foreach (var (instanceId, instanceToken, engineId) in host.CarryOut(answer))
            {
                // The engine in the new container announces itself (as a real one would), so the copy runs.
                _ = engineId == workEngine
                    ? Task.Run(() => WorkAsync(instanceId, instanceToken))
                    : PostAsync($"/engine_instance/{instanceId}/register", new { }, instanceToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        catch (Exception ex)
        {
            errors.AddOrUpdate(ex.Message.Split(' ').Take(2).Aggregate((a, b) => a + " " + b), 1, (_, c) => c + 1);
        }
        finally
        {
            gate.Release();
        }
    }));
}

await Task.WhenAll(inflight);
await stopping.CancelAsync();
await submitter;
var elapsed = clock.Elapsed.TotalSeconds - warmup;
var sorted = latencies.OrderBy(x => x).ToArray();
double P(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"hosts={hosts} target={rate}/s achieved={sorted.Length / elapsed:F0}/s ok={sorted.Length} errors={errors.Values.Sum()} " +
    $"p50={P(0.50):F2}ms p90={P(0.90):F2}ms p99={P(0.99):F2}ms max={P(1):F2}ms over1s={sorted.Count(x => x > 1000)}"));
if (workEngine is not null)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"tasks done={tasksDone} ({tasksDone / clock.Elapsed.TotalSeconds:F0}/s)"));
}

if (churnEngine is not null && churnEvery == 0)
{
    // Where the tail is: p50/p99/max per 5 seconds of the measured run.
    foreach (var bucket in timeline.GroupBy(t => (int)(t.At / 5) * 5).OrderBy(g => g.Key))
    {
        var b = bucket.Select(t => t.Ms).OrderBy(x => x).ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {bucket.Key,4}s  p50={b[b.Length / 2],8:F1}ms  p99={b[Math.Min(b.Length - 1, (int)(0.99 * b.Length))],8:F1}ms  max={b[^1],8:F1}ms"));
    }
}

foreach (var (message, count) in errors)
{
    Console.WriteLine($"  {count} x {message}");
}

return 0;

internal sealed class SimHost(Guid id, string token)
{
    private readonly ConcurrentDictionary<Guid, string> _containers = new();

    public Guid Id { get; } = id;

    public string Token { get; } = token;

    public object Report() => new
    {
        available = new { cpuMillicores = 8000, memoryMiB = 32768, gpuCount = 0, diskMiB = 50000 },
        containers = _containers.Select(c => new { containerId = c.Value, engineInstanceId = c.Key, state = "running" }).ToArray(),
    };

    /// <summary>Carries out the orders; returns the launched instances with their tokens and engines.</summary>
    public List<(Guid Id, string Token, string EngineId)> CarryOut(JsonObject answer)
    {
        var launched = new List<(Guid, string, string)>();
        foreach (var t in answer["terminate"]!.AsArray())
        {
            _containers.TryRemove(Guid.Parse(t!["engineInstanceId"]!.GetValue<string>()), out _);
        }

        foreach (var l in answer["launch"]!.AsArray())
        {
            var id = Guid.Parse(l!["engineInstanceId"]!.GetValue<string>());
            if (_containers.TryAdd(id, "c" + id.ToString("N")[..12]))
            {
                launched.Add((id, l["environment"]!["ENGINE_INSTANCE_TOKEN"]!.GetValue<string>(), l["engineId"]!.GetValue<string>()));
            }
        }

        return launched;
    }
}
