using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Controller.Api.Tests.Infrastructure;
using Controller.Application.Common.Telemetry;
using Controller.Infrastructure.BackgroundServices;
using Microsoft.Extensions.DependencyInjection;

namespace Controller.Api.Tests.Operations;

/// <summary>A scenario through HTTP, then /metrics is scraped and parsed: the values are those of the scenario.</summary>
public sealed partial class MetricsTests
{
    [GeneratedRegex("^(?<name>[a-z_:][a-z0-9_:]*)(\\{(?<labels>[^}]*)\\})? (?<value>\\S+)$")]
    private static partial Regex Sample();

    /// <summary>Samples by name, each with its labels (otel_scope_name left out) and value.</summary>
    private static List<(string Name, Dictionary<string, string> Labels, double Value)> Parse(string text) =>
        [.. text.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(l => Sample().Match(l)).Where(m => m.Success).Select(m => (
            m.Groups["name"].Value,
            m.Groups["labels"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries)
                .Select(p => p.Split('=', 2)).Where(p => p[0] != "otel_scope_name")
                .ToDictionary(p => p[0], p => p[1].Trim('"')),
            double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)))];

    private static double Value(List<(string Name, Dictionary<string, string> Labels, double Value)> samples, string name, params (string Key, string Value)[] labels) =>
        samples.Where(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Key) == l.Value)).Sum(s => s.Value);

    [Test]
    public async Task TheFirstScrape_AfterARestart_HasTheGauges_BeforeAnyOtherRequest()
    {
        // A controller restarted on an existing database: its host is there before any request is made.
        var directory = Path.Combine(Path.GetTempPath(), "controller-tests", Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string?> { ["Controller:MetricsRefreshSeconds"] = "3600" };
        if (TestDatabase.PostgresConnectionString() is { } postgres)
        {
            settings["Database:Provider"] = "Postgres";
            settings["ConnectionStrings:Controller"] = TestDatabase.CreatePostgresDatabase(postgres);
        }

        try
        {
            using (var first = new ControllerFactory(settings, dataDirectory: directory))
            {
                using var agent = await Agent.RegisterAsync(first);
            }

            using var restarted = new ControllerFactory(settings, dataDirectory: directory);
            _ = restarted.Server;

            // Read this controller's gauges: meters are found by name across the process, so the scrape of a test run
            // also carries the instruments of the other controllers alive in it (the shared one among them).
            var gauges = restarted.Services.GetRequiredService<ClusterGauges>();
            for (var attempt = 0; attempt < 50 && gauges.Current.HostsByState.GetValueOrDefault("active") == 0; attempt++)
            {
                await Task.Delay(100);
            }

            Assert.That(gauges.Current.HostsByState.GetValueOrDefault("active"), Is.EqualTo(1), "read at start, not an interval later");
            using var admin = restarted.Admin();
            var samples = Parse(await (await admin.GetAsync("/metrics")).Content.ReadAsStringAsync());
            Assert.That(samples.Any(s => s.Name == "controller_hosts" && s.Labels.GetValueOrDefault("state") == "active"), "the first scrape has the hosts gauge");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public async Task Scrape_AfterAScenario_ShowsItsHostsLaunchesReportsAndTasks()
    {
        using var factory = new ControllerFactory();
        using var admin = factory.Admin();
        var engineId = await admin.CreateEngineAsync("metered", desired: 3);
        var agents = new List<Agent> { await Agent.RegisterAsync(factory), await Agent.RegisterAsync(factory) };
        var reports = 0;
        for (var round = 0; round < 3; round++)
        {
            foreach (var agent in agents)
            {
                await agent.ReportAsync();
                reports++;
            }
        }

        await admin.PostAsJsonAsync($"/host/{agents[1].HostId}/drain", new { });
        await admin.SubmitAsync(engineId);
        await admin.SubmitAsync(engineId);
        await factory.Services.GetRequiredService<GaugeRefreshService>().RefreshAsync(CancellationToken.None);

        var response = await admin.GetAsync("/metrics");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var samples = Parse(await response.Content.ReadAsStringAsync());
        Assert.Multiple(() =>
        {
            Assert.That(Value(samples, "controller_hosts", ("state", "active")), Is.EqualTo(1));
            Assert.That(Value(samples, "controller_hosts", ("state", "draining")), Is.EqualTo(1));
            Assert.That(Value(samples, "controller_launches_total", ("engine", "metered")), Is.EqualTo(3));
            Assert.That(Value(samples, "controller_engine_desired", ("engine", "metered")), Is.EqualTo(3));
            Assert.That(Value(samples, "controller_engine_active", ("engine", "metered")), Is.EqualTo(3));
            Assert.That(Value(samples, "controller_status_reports_total"), Is.EqualTo(reports));
            Assert.That(Value(samples, "controller_status_duration_seconds_count"), Is.EqualTo(reports));
            Assert.That(Value(samples, "controller_tasks", ("engine", "metered"), ("state", "queued")), Is.EqualTo(2));
            Assert.That(Value(samples, "controller_instances", ("engine", "metered")), Is.EqualTo(3));
            Assert.That(samples.Any(s => s.Name.StartsWith("http_server_request_duration_seconds", StringComparison.Ordinal)), Is.True, "ASP.NET Core's own metrics");
        });
        agents.ForEach(a => a.Dispose());
    }

    [Test]
    public async Task Metrics_RefusesAnonymousAndOtherKinds_AcceptsAdminAndViewer()
    {
        using var factory = new ControllerFactory();
        using var admin = factory.Admin();
        using var anonymous = factory.ClientWith(null);
        await (await anonymous.GetAsync("/metrics")).AssertErrorAsync(HttpStatusCode.Unauthorized);

        var viewer = (await (await admin.PostAsJsonAsync("/token", new { kind = "viewer", name = "prometheus" })).ReadJsonAsync())["token"]!.GetValue<string>();
        var client = (await (await admin.PostAsJsonAsync("/token", new { kind = "client", name = "submitter" })).ReadJsonAsync())["token"]!.GetValue<string>();
        using var asViewer = factory.ClientWith(viewer);
        using var asClient = factory.ClientWith(client);
        Assert.That((await asViewer.GetAsync("/metrics")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await (await asClient.GetAsync("/metrics")).AssertErrorAsync(HttpStatusCode.Forbidden);
        await (await asViewer.GetAsync("/host")).AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Test]
    public async Task AnonymousListener_ServesMetricsOnly_MainPortStillNeedsAToken()
    {
        var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        using var factory = new ControllerFactory(new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Metrics:AnonymousUrl"] = $"http://127.0.0.1:{port}",
        });
        factory.UseKestrel();
        factory.StartServer();
        using var anonymous = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        var main = factory.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.Single(a => !a.EndsWith($":{port}", StringComparison.Ordinal));
        using var onMain = new HttpClient { BaseAddress = new Uri(main) };
        Assert.That((await onMain.GetAsync("/metrics")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));

        var scrape = await anonymous.GetAsync("/metrics");
        Assert.That(scrape.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await scrape.Content.ReadAsStringAsync(), Does.Contain("controller_requests_rejected_total"), "the 401 on the main port was counted");
        Assert.That((await anonymous.GetAsync("/host")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the metrics listener serves nothing else");

    }
}
