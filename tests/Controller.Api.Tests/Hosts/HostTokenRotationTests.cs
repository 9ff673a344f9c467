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
        Assert.That((await fresh.PostAsJsonAsync($"/host/{hostId}/updatestatus", ApiClient.Status())).StatusCode, Is.EqualTo(HttpStatusCode.OK), "first use of the new token");
        factory.Clock.Advance(TimeSpan.FromSeconds(61));
        await (await old.PostAsJsonAsync($"/host/{hostId}/updatestatus", ApiClient.Status())).AssertErrorAsync(HttpStatusCode.Unauthorized, "token_expired");
        Assert.That((await fresh.PostAsJsonAsync($"/host/{hostId}/updatestatus", ApiClient.Status())).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await (await factory.Admin().GetAsync("/token?kind=host&pageSize=500")).Content.ReadAsStringAsync(), Does.Not.Contain(body["token"]!.GetValue<string>()));
    }

    [Test]
    public async Task Rotate_AnswerLost_OldTokenKeepsWorkingUntilANewOneIsUsed_RepeatIsSafe()
    {
        using var factory = new ControllerFactory(new Dictionary<string, string?> { ["Tokens:RotationOverlapSeconds"] = "60" });
        var (hostId, oldToken) = await factory.RegisterHostAsync();
        using var old = factory.ClientWith(oldToken);
        Assert.That((await old.PostAsJsonAsync($"/host/{hostId}/updatestatus", ApiClient.Status())).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        // The first rotation's answer never arrives; long after the overlap the agent still works and repeats it.
        Assert.That((await old.PostAsync($"/host/{hostId}/token", null)).StatusCode, Is.EqualTo(HttpStatusCode.Created));
        factory.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.That((await old.PostAsJsonAsync($"/host/{hostId}/updatestatus", ApiClient.Status())).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var repeated = await old.PostAsync($"/host/{hostId}/token", null);
        Assert.That(repeated.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        using var fresh = factory.ClientWith((await repeated.ReadJsonAsync())["token"]!.GetValue<string>());

        Assert.That((await fresh.PostAsJsonAsync($"/host/{hostId}/updatestatus", ApiClient.Status())).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        factory.Clock.Advance(TimeSpan.FromSeconds(61));
        await (await old.PostAsJsonAsync($"/host/{hostId}/updatestatus", ApiClient.Status())).AssertErrorAsync(HttpStatusCode.Unauthorized, "token_expired");
        Assert.That((await fresh.PostAsJsonAsync($"/host/{hostId}/updatestatus", ApiClient.Status())).StatusCode, Is.EqualTo(HttpStatusCode.OK));
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
