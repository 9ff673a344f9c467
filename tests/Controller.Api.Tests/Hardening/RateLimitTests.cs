using System.Net;
using System.Net.Http.Json;
using Controller.Api.Tests.Infrastructure;

namespace Controller.Api.Tests.Hardening;

public sealed class RateLimitTests
{
    [Test]
    public async Task BurstOverTheLimit_Returns429WithRetryAfter_OtherCallersStillServed()
    {
        using var factory = new ControllerFactory(new Dictionary<string, string?>
        {
            ["RateLimiting:PerCallerPerSecond"] = "1",
            ["RateLimiting:PerCallerBurst"] = "5",
        });
        var (hostId, hostToken) = await factory.RegisterHostAsync();
        using var admin = factory.Admin();
        using var agent = factory.ClientWith(hostToken);
        var hostsBefore = await factory.CountAsync<Controller.Domain.Hosts.Host>();

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 12; i++)
        {
            responses.Add(await admin.GetAsync("/host"));
        }

        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.That(refused, Is.Not.Empty);
        var body = await refused[0].AssertErrorAsync(HttpStatusCode.TooManyRequests, "too_many_requests");
        var retryAfter = int.Parse(refused[0].Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(retryAfter, Is.InRange(1, 60));
        Assert.That(body["ErrorDetail"]!["retryAfterSeconds"]!.GetValue<int>(), Is.EqualTo(retryAfter));

        var rejectedWrite = await admin.PostAsJsonAsync("/host/register", ApiClient.HostBody(Guid.NewGuid().ToString()));
        Assert.That(rejectedWrite.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(await factory.CountAsync<Controller.Domain.Hosts.Host>(), Is.EqualTo(hostsBefore), "a refused request changes nothing");

        var status = await agent.PostAsJsonAsync($"/host/{hostId}/updatestatus", ApiClient.Status());
        Assert.That(status.StatusCode, Is.EqualTo(HttpStatusCode.OK), "host status reports keep flowing while an admin floods");
    }
}
