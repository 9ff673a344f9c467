using System.Net;
using Controller.Api.Tests.Infrastructure;

namespace Controller.Api.Tests.Hardening;

/// <summary>GET /: a browser lands on the dashboard, an API client gets an index of links; no token needed.</summary>
public sealed class IndexTests
{
    [Test]
    public async Task Root_BrowserIsRedirectedToTheDashboard_ApiClientGetsLinks()
    {
        using var factory = new ControllerFactory();
        using var anonymous = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var browser = new HttpRequestMessage(HttpMethod.Get, "/");
        browser.Headers.Add("Accept", "text/html,application/xhtml+xml,*/*;q=0.8");
        var redirected = await anonymous.SendAsync(browser);
        Assert.That(redirected.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(redirected.Headers.Location!.OriginalString, Is.EqualTo("/ui"));

        var index = await anonymous.GetAsync("/");
        Assert.That(index.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var links = (await index.ReadJsonAsync())["links"]!.AsObject();
        Assert.That(links.Select(l => l.Value!.GetValue<string>()), Is.EquivalentTo(new[] { "/ui", "/docs", "/openapi/v1.json", "/healthz/ready" }));
        using var following = factory.CreateClient();
        foreach (var link in links.Where(l => l.Key != "dashboard"))
        {
            Assert.That((await following.GetAsync(link.Value!.GetValue<string>())).StatusCode, Is.EqualTo(HttpStatusCode.OK), link.Key);
        }
    }
}
