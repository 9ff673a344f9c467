using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using Controller.Api.Tests.Infrastructure;

namespace Controller.Api.Tests.Events;

/// <summary>
/// Event streams cannot starve a replica: an open stream holds no request-concurrency slot, streams have their own
/// limits per token and per replica, a stream opens with its headers and a first line at once, and it ends when its
/// token is revoked or expires.
/// </summary>
public sealed class EventStreamLimitsTests
{
    private ControllerFactory _factory = null!;
    private HttpClient _admin = null!;

    [SetUp]
    public void SetUp()
    {
        _factory = new ControllerFactory(new Dictionary<string, string?>
        {
            ["RateLimiting:AdminConcurrency"] = "4",
            ["RateLimiting:GlobalConcurrency"] = "8",
            ["RateLimiting:StreamsPerCaller"] = "12",
            ["RateLimiting:StreamsPerReplica"] = "20",
            ["Controller:TokenEpochPollMilliseconds"] = "200",
        });
        _admin = _factory.Admin();
    }

    [TearDown]
    public void TearDown()
    {
        _admin.Dispose();
        _factory.Dispose();
    }

    private static async Task<HttpResponseMessage> OpenAsync(HttpClient client, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/event/stream");
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
    }

    private async Task<(string Token, Guid Id)> ViewerAsync(object? extra = null)
    {
        var body = (await (await _admin.PostAsJsonAsync("/token", extra ?? new { kind = "viewer", name = "ops" })).ReadJsonAsync());
        return (body["token"]!.GetValue<string>(), Guid.Parse(body["tokenId"]!.GetValue<string>()));
    }

    [Test]
    public async Task AStream_SendsItsHeadersAndAFirstLineWithRetry_AtOnce()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        using var response = await OpenAsync(_admin, cts.Token);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await using var body = await response.Content.ReadAsStreamAsync(cts.Token);
        var parser = SseParser.Create(body);
        await using var items = parser.EnumerateAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.That(await items.MoveNextAsync(), Is.True, "the first line arrives at once, not after the 15-s keep-alive");
        Assert.That((items.Current.EventType, items.Current.Data), Is.EqualTo(("keepalive", string.Empty)));
        Assert.That(parser.ReconnectionInterval, Is.EqualTo(TimeSpan.FromSeconds(3)));
    }

    [Test]
    public async Task OpenStreams_HoldNoRequestSlots_AdminCallsAndRevocationStillServed()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (viewer, viewerId) = await ViewerAsync();
        using var asViewer = _factory.ClientWith(viewer);

        // More streams than both the admin (4) and the global (8) concurrency limits.
        var streams = new List<HttpResponseMessage>();
        for (var i = 0; i < 10; i++)
        {
            streams.Add(await OpenAsync(i % 2 == 0 ? _admin : asViewer, cts.Token));
        }

        try
        {
            Assert.That(streams.Select(s => s.StatusCode), Is.All.EqualTo(HttpStatusCode.OK));
            for (var i = 0; i < 10; i++)
            {
                Assert.That((await _admin.GetAsync("/engine", cts.Token)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            }

            Assert.That((await _admin.DeleteAsync($"/token/{viewerId}", cts.Token)).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        }
        finally
        {
            streams.ForEach(s => s.Dispose());
        }
    }

    [Test]
    public async Task StreamsPerCaller_BeyondTheLimit_429WithRetryAfter_OtherTokensUnaffected_FreedWhenOneCloses()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var streams = new List<HttpResponseMessage>();
        for (var i = 0; i < 12; i++)
        {
            streams.Add(await OpenAsync(_admin, cts.Token));
        }

        try
        {
            Assert.That(streams.Select(s => s.StatusCode), Is.All.EqualTo(HttpStatusCode.OK));
            using (var refused = await OpenAsync(_admin, cts.Token))
            {
                await refused.AssertErrorAsync(HttpStatusCode.TooManyRequests, "too_many_requests");
                Assert.That(refused.Headers.RetryAfter?.Delta, Is.Not.Null);
            }

            var (viewer, _) = await ViewerAsync();
            using var asViewer = _factory.ClientWith(viewer);
            using (var other = await OpenAsync(asViewer, cts.Token))
            {
                Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.OK), "another token has streams of its own");
            }

            streams[0].Dispose();
            streams.RemoveAt(0);
            await WaitUntilAsync(async () =>
            {
                using var again = await OpenAsync(_admin, cts.Token);
                return again.StatusCode == HttpStatusCode.OK;
            }, cts.Token);
        }
        finally
        {
            streams.ForEach(s => s.Dispose());
        }
    }

    [Test]
    public async Task StreamsPerReplica_BeyondTheLimit_429_StatusReportsStillServed()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tokens = new List<HttpClient>();
        var streams = new List<HttpResponseMessage>();
        try
        {
            for (var t = 0; t < 2; t++)
            {
                tokens.Add(_factory.ClientWith((await ViewerAsync()).Token));
                for (var i = 0; i < 10; i++)
                {
                    streams.Add(await OpenAsync(tokens[t], cts.Token));
                }
            }

            Assert.That(streams.Select(s => s.StatusCode), Is.All.EqualTo(HttpStatusCode.OK));
            using (var refused = await OpenAsync(_admin, cts.Token))
            {
                await refused.AssertErrorAsync(HttpStatusCode.TooManyRequests, "too_many_requests");
            }

            using var agent = await Agent.RegisterAsync(_factory);
            await agent.ReportAsync();
            Assert.That(agent.LastAnswer, Is.Not.Null);
        }
        finally
        {
            streams.ForEach(s => s.Dispose());
            tokens.ForEach(c => c.Dispose());
        }
    }

    [Test]
    public async Task RevokingTheToken_EndsItsStream()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var (viewer, viewerId) = await ViewerAsync();
        using var asViewer = _factory.ClientWith(viewer);
        using var response = await OpenAsync(asViewer, cts.Token);
        var ended = DrainAsync(response, cts.Token);
        await Task.Delay(500);
        Assert.That(ended.IsCompleted, Is.False, "the stream stays open while its token is valid");

        Assert.That((await _admin.DeleteAsync($"/token/{viewerId}", cts.Token)).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(await ended, Is.True, "the stream ended by itself");
    }

    [Test]
    public async Task ExpiringTheToken_EndsItsStream()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var (viewer, _) = await ViewerAsync(new { kind = "viewer", name = "brief", expiresAt = _factory.Clock.GetUtcNow().AddHours(1) });
        using var asViewer = _factory.ClientWith(viewer);
        using var response = await OpenAsync(asViewer, cts.Token);
        var ended = DrainAsync(response, cts.Token);
        await Task.Delay(500);
        Assert.That(ended.IsCompleted, Is.False);

        _factory.Clock.Advance(TimeSpan.FromHours(2));
        Assert.That(await ended, Is.True);
    }

    /// <summary>Reads the stream to its end: true when the server ended it, false when the test's time ran out.</summary>
    private static async Task<bool> DrainAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            await foreach (var _ in SseParser.Create(body).EnumerateAsync(ct))
            {
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, CancellationToken ct)
    {
        while (!await condition())
        {
            await Task.Delay(50, ct);
        }
    }
}
