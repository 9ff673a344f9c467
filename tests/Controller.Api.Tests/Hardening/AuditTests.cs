using System.Net;
using System.Net.Http.Json;
using Controller.Api.Tests.Infrastructure;

namespace Controller.Api.Tests.Hardening;

public sealed class AuditTests
{
    [Test]
    public async Task AdminActions_AreRecordedWithWhoWhatAndOutcome_ReadsAndAgentsAreNot()
    {
        using var factory = new ControllerFactory();
        using var admin = factory.Admin();
        var (hostId, hostToken) = await factory.RegisterHostAsync();
        await admin.PostAsync($"/host/{hostId}/drain", null);
        await admin.PostAsync($"/host/{Guid.NewGuid()}/drain", null);
        await admin.GetAsync("/host");
        await factory.ClientWith(hostToken).PostAsJsonAsync($"/host/{hostId}/updatestatus", ApiClient.Status());

        var page = await (await admin.GetAsync("/audit?action=drain&pageSize=50")).ReadJsonAsync();

        var items = page["items"]!.AsArray();
        Assert.That(items, Has.Count.EqualTo(2));
        Assert.That(items.Select(i => i!["status"]!.GetValue<int>()), Is.EquivalentTo(new[] { 202, 404 }));
        Assert.That(items.All(i => i!["tokenName"]!.GetValue<string>() == "bootstrap admin"), Is.True);
        var all = await (await admin.GetAsync("/audit?pageSize=500")).Content.ReadAsStringAsync();
        Assert.That(all, Does.Not.Contain("updatestatus"));
        Assert.That(all, Does.Not.Contain("\"GET "));
        Assert.That((await factory.ClientWith(hostToken).GetAsync("/audit")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }
}
