// Load generator for the task queue: "work" runs N engine instances pulling and completing tasks with getwork
// (one task per call, the outcome of the previous one reported in the same call; closed loop, or paced with --rate) and prints tasks completed per
// second and the latency of getwork; "list" stores tasks until there are N and times GET /task pages (the first page,
// and a page from a cursor in the middle), so that the cost at 1,000 and at 1,000,000 tasks can be compared.
// Only for a controller on this machine (loopback).
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

var mode = options.Get("mode", "work");
var admin = options.Get("admin-token", Environment.GetEnvironmentVariable("CONTROLLER_ADMIN_TOKEN") ?? "");
var instances = Int(options.Get("instances", "50"));
var seconds = Int(options.Get("duration", "20"));
var warmup = Int(options.Get("warmup", "5"));
var tasks = Int(options.Get("tasks", mode == "work" ? "60000" : "1000"));
var maxItems = Int(options.Get("max-items", "1"));

// --rate R: the instances together call getwork R times a second (each on its own schedule, as an engine that takes
// instances/R seconds per task), and latency counts from the scheduled time, so a late answer also delays the next
// call's clock (no coordinated omission). Without it, every instance calls again as soon as it has its answer.
var rate = double.Parse(options.Get("rate", "0"), CultureInfo.InvariantCulture);

// --poll-urls A,B (longpoll): the instances' getwork calls go to these replicas in turn, while tasks are submitted
// through --url (submitted on one replica, handed out on the others).
// --wait-seconds W (longpoll): the getwork calls' waitSeconds (20); 0 is the polling of before the long poll: an instance
// told to wait sleeps the waitSeconds of the answer and asks again.
var waitSeconds = Int(options.Get("wait-seconds", "20"));

var pollUrls = options.Get("poll-urls", "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(u => new Uri(u)).ToList();
if (pollUrls.Any(u => !u.IsLoopback))
{
    Console.Error.WriteLine("This load generator only targets a controller on this machine (loopback).");
    return 2;
}

using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Math.Max(256, instances + 16), PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
using var http = new HttpClient(handler) { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(30) };

async Task<JsonNode> SendAsync(HttpMethod method, string path, object? body, string token)
{
    using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    using var response = await http.SendAsync(request);
    var text = await response.Content.ReadAsStringAsync();
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {text[..Math.Min(200, text.Length)]}");
    }

    return JsonNode.Parse(text)!;
}

Task<JsonNode> PostAsync(string path, object body, string token) => SendAsync(HttpMethod.Post, path, body, token);

var run = Guid.NewGuid().ToString("N")[..8];
var engineId = (await PostAsync("/engine", new
{
    name = $"work-{run}", image = "registry/work:1", resources = new { cpuMillicores = 100, memoryMiB = 64 },
    priority = 0, minInstances = 0, maxInstances = 100_000, desiredInstances = mode is "work" or "longpoll" ? instances : 0,
}, admin))["engineId"]!.GetValue<string>();

// Tasks in batches of 500, four batches at a time; the ids are kept (the list mode uses one as a cursor).
async Task<List<string>> SubmitAsync(int count)
{
    var ids = new ConcurrentBag<string>();
    var batches = Enumerable.Range(0, (count + 499) / 500).Select(b => Math.Min(500, count - (b * 500)));
    await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (size, _) =>
    {
        var answer = await PostAsync("/task/batch", new { tasks = Enumerable.Range(0, size).Select(i => new { engineId, payload = new { i } }) }, admin);
        foreach (var task in answer["tasks"]!.AsArray())
        {
            ids.Add(task!["taskId"]!.GetValue<string>());
        }
    });
    return [.. ids];
}

if (mode == "list")
{
    Console.WriteLine($"storing {tasks} tasks...");
    var ids = await SubmitAsync(tasks);
    var middle = ids.Order(StringComparer.Ordinal).ElementAt(ids.Count / 2).Replace("-", string.Empty, StringComparison.Ordinal);
    foreach (var (name, path) in new[]
    {
        ("first page", $"/task?engineId={engineId}&state=queued&limit=100"),
        ("page from a cursor in the middle", $"/task?engineId={engineId}&state=queued&limit=100&cursor={middle}"),
        ("first page, no filter", "/task?limit=100"),
    })
    {
        var times = new List<double>();
        for (var n = 0; n < 220; n++)
        {
            var started = Stopwatch.GetTimestamp();
            var page = await SendAsync(HttpMethod.Get, path, null, admin);
            if (n >= 20)
            {
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            if (page["items"]!.AsArray().Count != 100)
            {
                throw new InvalidOperationException($"{name}: a short page");
            }
        }

        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"GET /task {name,-34} tasks={tasks} p50={times[times.Count / 2]:F2}ms p99={times[(int)(times.Count * 0.99)]:F2}ms"));
    }

    return 0;
}

// Hosts for the instances (25 copies each), two reports each: launch, then the containers run; every engine registers.
Console.WriteLine($"starting {instances} instances...");
var registration = (await PostAsync("/token", new { kind = "registration", name = $"workgen {run}" }, admin))["token"]!.GetValue<string>();
var workers = new List<(string Id, string Token)>();
for (var h = 0; h * 25 < instances; h++)
{
    var host = await PostAsync("/host/register", new
    {
        machineId = $"work-{run}-{h}", hostname = $"work-{h}", capacity = new { cpuMillicores = 2500, memoryMiB = 1600 }, containers = Array.Empty<object>(),
    }, registration);
    var (hostId, hostToken) = (host["hostId"]!.GetValue<string>(), host["token"]!.GetValue<string>());
    var launches = new List<(string Id, string Token)>();
    for (var round = 0; round < 3; round++)
    {
        var answer = await PostAsync($"/host/{hostId}/updatestatus", new
        {
            available = new { cpuMillicores = 2500, memoryMiB = 1600 },
            containers = launches.Select(l => new { containerId = "c" + l.Id[..12], engineInstanceId = l.Id, state = "running" }).ToArray(),
        }, hostToken);
        launches.AddRange(answer["launch"]!.AsArray().Select(l => (l!["engineInstanceId"]!.GetValue<string>(), l["environment"]!["ENGINE_INSTANCE_TOKEN"]!.GetValue<string>())));
    }

    workers.AddRange(launches);
}

foreach (var (id, token) in workers)
{
    await PostAsync($"/engine_instance/{id}/register", new { }, token);
}

if (mode == "longpoll")
{
    return await LongPollAsync();
}

Console.WriteLine($"{workers.Count} instances running; submitting {tasks} tasks...");
await SubmitAsync(tasks);

var latencies = new ConcurrentBag<double>();
var timeline = new ConcurrentBag<(int Window, double Latency)>();
var completed = 0L;
var errors = new ConcurrentDictionary<string, int>();
var clock = Stopwatch.StartNew();
var measuredFrom = TimeSpan.FromSeconds(warmup);
var end = TimeSpan.FromSeconds(warmup + seconds);
Console.WriteLine($"{workers.Count} instances pulling for {warmup}s of warm-up and {seconds}s measured...");
var period = rate > 0 ? TimeSpan.FromSeconds(workers.Count / rate) : TimeSpan.Zero;
await Task.WhenAll(workers.Select((w, n) => Task.Run(async () =>
{
    var held = new List<string>();
    var due = clock.Elapsed + (period * n / workers.Count);
    while (clock.Elapsed < end)
    {
        if (rate > 0)
        {
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }
        }
        else
        {
            due = clock.Elapsed;
        }

        var measured = due >= measuredFrom && due < end;
        try
        {
            var body = new { completed = held.Select(t => new { taskId = t, outcome = "succeeded", result = new { ok = true } }).ToArray(), maxItems };
            var answer = await PostAsync($"/engine_instance/{w.Id}/getwork", body, w.Token);
            if (measured)
            {
                latencies.Add((clock.Elapsed - due).TotalMilliseconds);
                timeline.Add(((int)((due - measuredFrom).TotalSeconds / 5), (clock.Elapsed - due).TotalMilliseconds));
                Interlocked.Add(ref completed, held.Count);
            }

            due += period;

            held = [.. answer["items"]!.AsArray().Select(i => i!["taskId"]!.GetValue<string>())];
            if (answer["action"]!.GetValue<string>() == "wait")
            {
                await Task.Delay(TimeSpan.FromSeconds(answer["waitSeconds"]!.GetValue<int>()));
                due = clock.Elapsed;
            }
        }
        catch (Exception ex)
        {
            errors.AddOrUpdate(ex.Message.Split(' ').Take(2).Aggregate((a, b) => a + " " + b), 1, (_, c) => c + 1);
            held = [];
            due = clock.Elapsed + period;
        }
    }
})));

var sorted = latencies.Order().ToArray();
double P(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"instances={workers.Count} maxItems={maxItems} {(rate > 0 ? $"paced at {rate:F0}/s" : "closed loop")} getwork={sorted.Length / (double)seconds:F0}/s tasks completed={completed / (double)seconds:F0}/s errors={errors.Values.Sum()} " +
    $"p50={P(0.50):F2}ms p90={P(0.90):F2}ms p99={P(0.99):F2}ms max={P(1):F2}ms"));
foreach (var window in timeline.GroupBy(t => t.Window).OrderBy(g => g.Key))
{
    var times = window.Select(t => t.Latency).Order().ToArray();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  {window.Key * 5,3}-{(window.Key * 5) + 5,3} s: {times.Length / 5.0,6:F0} calls/s p50={times[times.Length / 2]:F1}ms p99={times[Math.Min(times.Length - 1, (int)(times.Length * 0.99))]:F1}ms max={times[^1]:F1}ms"));
}

foreach (var (message, count) in errors)
{
    Console.WriteLine($"  {count} x {message}");
}

return 0;

// "longpoll": every instance long-polls (waitSeconds 20) with nothing queued; one task at a time is submitted, --rate a
// second (0: none, to measure what idle held calls cost), each carrying when it was submitted; the latency is from
// the start of its submission to the instance that got it, and is printed as p50/p99 with the tasks handed out.
async Task<int> LongPollAsync()
{
    var clock = Stopwatch.StartNew();
    var latencies = new ConcurrentBag<double>();
    var errors = 0;
    var received = 0;
    var failures = new ConcurrentDictionary<string, int>();
    void Failed(Exception ex)
    {
        Interlocked.Increment(ref errors);
        failures.AddOrUpdate(string.Join(' ', ex.Message.Split(' ').Take(3)), 1, (_, c) => c + 1);
    }
    var end = TimeSpan.FromSeconds(warmup + seconds);
    Console.WriteLine($"{workers.Count} instances {(waitSeconds > 0 ? "long-polling" : "polling")} for {warmup}s of warm-up and {seconds}s measured, {rate:F0} tasks/s...");
    var pollers = workers.Select((w, n) => Task.Run(async () =>
    {
        var replica = pollUrls.Count == 0 ? "" : pollUrls[n % pollUrls.Count].ToString().TrimEnd('/');
        var held = new List<string>();
        while (clock.Elapsed < end)
        {
            try
            {
                var body = new { completed = held.Select(t => new { taskId = t, outcome = "succeeded", result = new { ok = true } }).ToArray(), maxItems = 1, waitSeconds };
                var answer = await PostAsync($"{replica}/engine_instance/{w.Id}/getwork", body, w.Token);
                var got = clock.Elapsed;
                held = [];
                if (waitSeconds == 0 && answer["action"]!.GetValue<string>() == "wait")
                {
                    await Task.Delay(TimeSpan.FromSeconds(answer["waitSeconds"]?.GetValue<int>() ?? 2));
                }

                foreach (var item in answer["items"]!.AsArray())
                {
                    Interlocked.Increment(ref received);
                    held.Add(item!["taskId"]!.GetValue<string>());
                    var submitted = TimeSpan.FromTicks(item["payload"]!["at"]!.GetValue<long>());
                    if (submitted >= TimeSpan.FromSeconds(warmup))
                    {
                        latencies.Add((got - submitted).TotalMilliseconds);
                    }
                }
            }
            catch (Exception ex)
            {
                Failed(ex);
                held = [];
            }
        }
    })).ToList();

    var submitted = 0;
    var submissions = new List<Task>();
    if (rate > 0)
    {
        // Each submission starts on its schedule, whether or not the previous one was answered (up to 64 at once); above
        // 100 tasks a second they go as batches of rate/100 every 10 ms (as a producer of that many would send them).
        var perBatch = Math.Max(1, (int)(rate / 100));
        var period = TimeSpan.FromSeconds(perBatch / rate);
        using var inFlight = new SemaphoreSlim(64);
        for (var n = 0; clock.Elapsed < end - TimeSpan.FromSeconds(1); n++)
        {
            var due = period * n;
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }

            await inFlight.WaitAsync();
            submissions.Add(Task.Run(async () =>
            {
                try
                {
                    // The payload carries when its submission started (ticks since the run began).
                    var at = clock.Elapsed.Ticks;
                    if (perBatch == 1)
                    {
                        await PostAsync("/task", new { engineId, payload = new { at } }, admin);
                    }
                    else
                    {
                        await PostAsync("/task/batch", new { tasks = Enumerable.Range(0, perBatch).Select(_ => new { engineId, payload = new { at } }) }, admin);
                    }

                    Interlocked.Add(ref submitted, perBatch);
                }
                catch (Exception ex)
                {
                    Failed(ex);
                }
                finally
                {
                    inFlight.Release();
                }
            }));
        }

        await Task.WhenAll(submissions);
    }

    await Task.WhenAll(pollers);
    var sorted = latencies.Order().ToArray();
    double P(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"instances={workers.Count} {(waitSeconds > 0 ? $"long poll ({waitSeconds} s)" : "polling")}, {rate:F0} tasks/s{(pollUrls.Count > 0 ? $" (polling {pollUrls.Count} other replicas)" : "")}: submitted={submitted} handed out={received} (of those submitted after the warm-up: {sorted.Length}) submit-to-handout p50={P(0.50):F2}ms p99={P(0.99):F2}ms max={P(1):F2}ms errors={errors}"));
    foreach (var (message, count) in failures)
    {
        Console.WriteLine($"  {count} x {message}");
    }

    return 0;
}

static int Int(string value) => int.Parse(value, CultureInfo.InvariantCulture);
