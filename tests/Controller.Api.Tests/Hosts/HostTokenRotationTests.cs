using System.Net;
using System.Net.Http.Json;
using Controller.Api.Tests.Infrastructure;

namespace Controller.Api.Tests.Hosts;

public sealed class HostTokenRotationTests
{
    [Test]
    public async Task Rotate_NewTokenWorks_OldOneStopsAfterTheOverlap()
    {
        using var factory = new ControllerFactory(new Dictionary<string, string?> { ["Tokens:RotationOverlapSeconds"] = "60" });
        var (hostId, oldToken) = await factory.RegisterHostAsync();
        using var old = factory.ClientWith(oldToken);

        var rotated = await old.PostAsync($"/host/{hostId}/token", null);

        Assert.That(rotated.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var body = await rotated.ReadJsonAsync();
        using var fresh = factory.ClientWith(body["token"]!.GetValue<string>());
        Assert.That((await old.PostAsJsonAsync($"/host/{hostId}/updatestatus", ApiClient.Status())).StatusCode, Is.EqualTo(HttpStatusCode.OK), "overlap");
        factory.Clock.Advance(TimeSpan.FromSeconds(61));
        await (await old.PostAsJsonAsync($"/host/{hostId}/updatestatus", ApiClient.Status())).AssertErrorAsync(HttpStatusCode.Unauthorized, "token_expired");
        Assert.That((await fresh.PostAsJsonAsync($"/host/{hostId}/updatestatus", ApiClient.Status())).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await (await factory.Admin().GetAsync("/token?kind=host&pageSize=500")).Content.ReadAsStringAsync(), Does.Not.Contain(body["token"]!.GetValue<string>()));
    }

    [Test]
    public async Task Rotate_AnotherHostsToken_Returns403()
    {
        using var factory = new ControllerFactory();
        var (hostId, _) = await factory.RegisterHostAsync();
        var (_, otherToken) = await factory.RegisterHostAsync();
        using var other = factory.ClientWith(otherToken);

        await (await other.PostAsync($"/host/{hostId}/token", null)).AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
    }
}
