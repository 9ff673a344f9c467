using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Controller.Api.Tests.Infrastructure;

namespace Controller.Api.Tests.Durability;

/// <summary>
/// A real controller process is killed with SIGKILL in the middle of a stream of registrations and status
/// reports; after a restart on the same database every acknowledged registration is there and its host
/// token works (a 2xx means committed; nothing half-applied is left).
/// </summary>
public sealed class CrashTests
{
    [Test]
    public async Task Sigkill_DuringLoad_EveryAcknowledgedRegistrationSurvives()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "controller-crash", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        var postgres = TestDatabase.PostgresConnectionString();
        var database = postgres is null ? [] : new[] { "--Database:Provider=Postgres", $"--ConnectionStrings:Controller={TestDatabase.CreatePostgresDatabase(postgres)}" };
        var port = ControllerProcess.FreePort();

        using var first = await ControllerProcess.StartAsync(port, dataDirectory, database);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ControllerFactory.AdminToken);
        var acknowledged = new ConcurrentDictionary<string, (Guid HostId, string Token)>();
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var machineId = $"crash-{w}-{n}";
                try
                {
                    var response = await client.PostAsJsonAsync("/host/register", ApiClient.HostBody(machineId));
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        var body = await response.ReadJsonAsync();
                        var host = (Guid.Parse(body["hostId"]!.GetValue<string>()), body["token"]!.GetValue<string>());
                        acknowledged[machineId] = host;
                        using var report = new HttpRequestMessage(HttpMethod.Post, $"/host/{host.Item1}/updatestatus") { Content = JsonContent.Create(ApiClient.Status()) };
                        report.Headers.Authorization = new AuthenticationHeaderValue("Bearer", host.Item2);
                        await client.SendAsync(report);
                    }
                }
                catch (HttpRequestException)
                {
                    return; // the process is gone
                }
            }
        })).ToList();

        await Task.Delay(TimeSpan.FromSeconds(2));
        await first.KillAsync();
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        TestContext.Out.WriteLine($"acknowledged before the kill: {acknowledged.Count}");
        Assert.That(acknowledged, Is.Not.Empty, "the load ran before the kill");

        using var second = await ControllerProcess.StartAsync(port, dataDirectory, database);
        foreach (var (machineId, (hostId, token)) in acknowledged)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/host/{hostId}/detail");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var response = await client.SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{machineId} was acknowledged but is gone");
            Assert.That((await response.ReadJsonAsync())["machineId"]!.GetValue<string>(), Is.EqualTo(machineId));
        }
    }
}
