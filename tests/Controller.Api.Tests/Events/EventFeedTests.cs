using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Controller.Api.Tests.Infrastructure;
using Controller.Infrastructure.BackgroundServices;
using Microsoft.Extensions.DependencyInjection;

namespace Controller.Api.Tests.Events;

/// <summary>
/// Lifecycle scenarios through HTTP, then the feed is read: every transition produced its event exactly once, in order,
/// with the reason (on SQLite, and on PostgreSQL in its pass of the test script).
/// </summary>
public sealed class EventFeedTests
{
    private ControllerFactory _factory = null!;
    private HttpClient _admin = null!;

    [SetUp]
    public void SetUp()
    {
        _factory = new ControllerFactory(new Dictionary<string, string?>
        {
            ["Scheduling:HostLostAfterSeconds"] = "30",
            ["Scheduling:StartupGraceSeconds"] = "0",
        });
        _admin = _factory.Admin();
    }

    [TearDown]
    public void TearDown()
    {
        _admin.Dispose();
        _factory.Dispose();
    }

    private Task<bool> SweepAsync() => _factory.Services.GetRequiredService<SweepService>().TickAsync(CancellationToken.None);

    private async Task<List<JsonObject>> AllEventsAsync(string query = "")
    {
        var all = new List<JsonObject>();
        long after = 0;
        while (true)
        {
            var page = await (await _admin.GetAsync($"/event?after={after}&limit=7{query}")).ReadJsonAsync();
            var items = page["items"]!.AsArray().Select(i => i!.AsObject()).ToList();
            if (items.Count == 0)
            {
                Assert.That(page["lastEventId"]!.GetValue<long>(), Is.EqualTo(after), "an empty page keeps the cursor");
                return all;
            }

            all.AddRange(items);
            after = page["lastEventId"]!.GetValue<long>();
        }
    }

    private static List<string> TypesOf(IEnumerable<JsonObject> events, string field, Guid id) =>
        [.. events.Where(e => e[field]?.GetValue<string>() == id.ToString()).Select(e => e["type"]!.GetValue<string>())];

    private static async Task ConvergeAsync(params Agent[] agents)
    {
        for (var round = 0; round < 6; round++)
        {
            foreach (var agent in agents)
            {
                await agent.ReportAsync();
            }
        }
    }

    [Test]
    public async Task DrainScaleLoseAndReturn_EveryTransitionOnce_InOrder()
    {
        var engineId = await _admin.CreateEngineAsync("ocr", desired: 1);
        using var a = await Agent.RegisterAsync(_factory);
        a.RunEngines = true;
        await ConvergeAsync(a);
        var first = a.InstancesOf(engineId).Single();

        using var b = await Agent.RegisterAsync(_factory);
        b.RunEngines = true;
        Assert.That((await _admin.PostAsJsonAsync($"/host/{a.HostId}/drain", new { })).IsSuccessStatusCode, Is.True);
        await ConvergeAsync(a, b);
        var second = b.InstancesOf(engineId).Single();

        Assert.That((await _admin.PatchAsJsonAsync($"/engine/{engineId}", new { desiredInstances = 0 })).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await ConvergeAsync(a, b);
        Assert.That((await _admin.PostAsJsonAsync($"/host/{a.HostId}/undrain", new { })).IsSuccessStatusCode, Is.True);

        // b falls silent, is lost, and comes back.
        _factory.Clock.Advance(TimeSpan.FromSeconds(40));
        await a.ReportAsync();
        await SweepAsync();
        await b.ReportAsync();

        var events = await AllEventsAsync();
        Assert.Multiple(() =>
        {
            Assert.That(events.Select(e => e["eventId"]!.GetValue<long>()), Is.Ordered.Ascending.And.Unique);
            Assert.That(TypesOf(events, "engineId", engineId).Where(t => t.StartsWith("engine.", StringComparison.Ordinal)),
                Is.EqualTo(new[] { "engine.created", "engine.scaled" }));
            Assert.That(TypesOf(events, "instanceId", first),
                Is.EqualTo(new[] { "instance.launched", "instance.running", "instance.displaced", "instance.stopping", "instance.stopped" }));
            Assert.That(TypesOf(events, "instanceId", second),
                Is.EqualTo(new[] { "instance.launched", "instance.running", "instance.stopping", "instance.stopped" }));
            Assert.That(TypesOf(events, "hostId", a.HostId).Where(t => t.StartsWith("host.", StringComparison.Ordinal)),
                Is.EqualTo(new[] { "host.registered", "host.draining", "host.drained", "host.undrained" }));
            Assert.That(TypesOf(events, "hostId", b.HostId).Where(t => t.StartsWith("host.", StringComparison.Ordinal)),
                Is.EqualTo(new[] { "host.registered", "host.lost", "host.back" }));
        });

        var stops = events.Where(e => e["type"]!.GetValue<string>() == "instance.stopping").Select(e => e["reason"]!.GetValue<string>()).ToList();
        Assert.That(stops, Is.EqualTo(new[] { "replaced", "scaled_down" }));
        var scaled = events.Single(e => e["type"]!.GetValue<string>() == "engine.scaled");
        Assert.That(scaled["message"]!.GetValue<string>(), Does.Contain("1 → 0"));

        // Filters: one host's events, and one type.
        var ofB = await AllEventsAsync($"&hostId={b.HostId}");
        Assert.That(ofB.Select(e => e["type"]!.GetValue<string>()), Is.EqualTo(TypesOf(events, "hostId", b.HostId)));
        var lost = await AllEventsAsync("&type=host.lost&type=host.back");
        Assert.That(lost.Select(e => e["type"]!.GetValue<string>()), Is.EqualTo(new[] { "host.lost", "host.back" }));

        // Without a cursor: the latest events, oldest first.
        var latest = await (await _admin.GetAsync("/event?limit=2")).ReadJsonAsync();
        Assert.That(latest["items"]!.AsArray().Select(i => i!["eventId"]!.GetValue<long>()),
            Is.EqualTo(events.TakeLast(2).Select(e => e["eventId"]!.GetValue<long>())));
    }

    [Test]
    public async Task CrashedCopy_FailedWithExitCode_BackOffStartsAndEnds_TerminatedHost()
    {
        var engineId = await _admin.CreateEngineAsync("asr", desired: 1);
        using var a = await Agent.RegisterAsync(_factory);
        a.RunEngines = true;
        await ConvergeAsync(a);
        var crashed = a.InstancesOf(engineId).Single();
        a.Crash(crashed);
        await a.ReportAsync();

        // Past the back-off a new copy comes up; once it has run healthy (60 s) the engine's failures are forgiven.
        _factory.Clock.Advance(TimeSpan.FromMinutes(10));
        await ConvergeAsync(a);
        var replacement = a.InstancesOf(engineId).Single(id => id != crashed);
        Assert.That(TypesOf(await AllEventsAsync(), "engineId", engineId), Does.Not.Contain("engine.backoff_ended"), "coming up is not enough");
        _factory.Clock.Advance(TimeSpan.FromSeconds(61));
        await a.HeartbeatEnginesAsync();

        Assert.That((await _admin.PostAsJsonAsync($"/host/{a.HostId}/terminate", new { })).IsSuccessStatusCode, Is.True);
        await ConvergeAsync(a);

        var events = await AllEventsAsync();
        var failed = events.Single(e => e["type"]!.GetValue<string>() == "instance.failed");
        Assert.Multiple(() =>
        {
            Assert.That(failed["instanceId"]!.GetValue<string>(), Is.EqualTo(crashed.ToString()));
            Assert.That(failed["reason"]!.GetValue<string>(), Is.EqualTo("exited"));
            Assert.That(failed["exitCode"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(TypesOf(events, "engineId", engineId).Where(t => t.StartsWith("engine.", StringComparison.Ordinal)),
                Is.EqualTo(new[] { "engine.created", "engine.backoff_started", "engine.backoff_ended" }));
            Assert.That(TypesOf(events, "instanceId", replacement),
                Is.EqualTo(new[] { "instance.launched", "instance.running", "instance.stopping", "instance.stopped" }));
            Assert.That(TypesOf(events, "hostId", a.HostId).Where(t => t.StartsWith("host.", StringComparison.Ordinal)),
                Is.EqualTo(new[] { "host.registered", "host.terminating", "host.terminated" }));
        });
    }

    [Test]
    public async Task MassSilence_HeldBackOnce_ResumedOnce()
    {
        using var alive = await Agent.RegisterAsync(_factory);
        using var silent1 = await Agent.RegisterAsync(_factory);
        using var silent2 = await Agent.RegisterAsync(_factory);
        for (var i = 0; i < 3; i++)
        {
            _factory.Clock.Advance(TimeSpan.FromSeconds(35));
            await alive.ReportAsync();
            await SweepAsync();
        }

        await silent1.ReportAsync();
        await silent2.ReportAsync();
        await SweepAsync();
        await SweepAsync();

        var sweeps = (await AllEventsAsync()).Where(e => e["type"]!.GetValue<string>().StartsWith("sweep.", StringComparison.Ordinal)).ToList();
        Assert.That(sweeps.Select(e => e["type"]!.GetValue<string>()), Is.EqualTo(new[] { "sweep.held_back", "sweep.resumed" }));
        Assert.That(sweeps[0]["reason"]!.GetValue<string>(), Is.EqualTo("mass_silence"));
    }

    [Test]
    public async Task Feed_AdminAndViewer_Others403_Anonymous401_BadFilters400()
    {
        using var anonymous = _factory.ClientWith(null);
        await (await anonymous.GetAsync("/event")).AssertErrorAsync(HttpStatusCode.Unauthorized);
        var viewer = (await (await _admin.PostAsJsonAsync("/token", new { kind = "viewer", name = "ops" })).ReadJsonAsync())["token"]!.GetValue<string>();
        var client = (await (await _admin.PostAsJsonAsync("/token", new { kind = "client", name = "submitter" })).ReadJsonAsync())["token"]!.GetValue<string>();
        using var asViewer = _factory.ClientWith(viewer);
        using var asClient = _factory.ClientWith(client);
        Assert.That((await asViewer.GetAsync("/event")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await (await asClient.GetAsync("/event")).AssertErrorAsync(HttpStatusCode.Forbidden);
        await (await asClient.GetAsync("/event/stream")).AssertErrorAsync(HttpStatusCode.Forbidden);

        await (await _admin.GetAsync("/event?type=host.exploded")).AssertErrorAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await _admin.GetAsync("/event?after=-1")).AssertErrorAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await _admin.GetAsync("/event?limit=0")).AssertErrorAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await _admin.GetAsync("/event?after=abc")).AssertErrorAsync(HttpStatusCode.BadRequest);
        await (await _admin.GetAsync("/event/stream?type=nope")).AssertErrorAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Test]
    public async Task Stream_FromACursor_ThenLive_IdsInOrder_ResumesWithLastEventId()
    {
        var engineId = await _admin.CreateEngineAsync("live", desired: 2);
        using var agent = await Agent.RegisterAsync(_factory);
        var before = await AllEventsAsync();
        var start = before[^1]["eventId"]!.GetValue<long>();

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/event/stream?engineId={engineId}&type=instance.launched");
        request.Headers.Add("Last-Event-ID", before[0]["eventId"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var response = await _admin.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/event-stream"));

        // The launches happen after the stream opened: they arrive live.
        await agent.ReportAsync();
        var launched = agent.LastAnswer!["launch"]!.AsArray().Select(l => Guid.Parse(l!["engineInstanceId"]!.GetValue<string>())).ToList();
        var received = new List<(long Id, string Type, JsonObject Data)>();
        await using var body = await response.Content.ReadAsStreamAsync(cts.Token);
        await foreach (var item in System.Net.ServerSentEvents.SseParser.Create(body).EnumerateAsync(cts.Token))
        {
            if (item.EventType == "keepalive")
            {
                continue;
            }

            received.Add((long.Parse(item.EventId!, System.Globalization.CultureInfo.InvariantCulture), item.EventType, JsonNode.Parse(item.Data)!.AsObject()));
            if (received.Count == 2)
            {
                break;
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(received.Select(r => r.Type), Is.All.EqualTo("instance.launched"));
            Assert.That(received.Select(r => r.Id), Is.Ordered.Ascending.And.All.GreaterThan(start));
            Assert.That(received.Select(r => Guid.Parse(r.Data["instanceId"]!.GetValue<string>())), Is.EquivalentTo(launched));
            Assert.That(received.Select(r => r.Data["eventId"]!.GetValue<long>()), Is.EqualTo(received.Select(r => r.Id)));
        });
    }
}
