using System.Net;
using System.Net.Http.Json;
using Controller.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Controller.Api.Tests.Dashboard;

/// <summary>
/// The dashboard's pages need its session cookie: without one (a bearer token does not count) every page sends the
/// visitor to the sign-in page; forms refuse posts without their antiforgery token; a revoked token ends the session.
/// </summary>
public sealed class DashboardAccessTests
{
    private static List<string> PagePaths(ControllerFactory factory) =>
        [.. factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<ControllerActionDescriptor>() is { ControllerName: "Dashboard" })
            .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Contains("GET"))
            .Select(e => e.RoutePattern.RawText!)
            .Where(p => p != "ui/signin")];

    [Test]
    public async Task EveryPage_WithoutTheCookie_RedirectsToSignIn_EvenWithAnAdminBearerToken()
    {
        using var factory = new ControllerFactory();
        var paths = PagePaths(factory);
        Assert.That(paths, Has.Count.GreaterThanOrEqualTo(8));
        foreach (var pattern in paths)
        {
            var path = "/" + pattern.Replace("{hostId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
                .Replace("{engineId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
                .Replace("{taskId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal);
            foreach (var token in new[] { null, ControllerFactory.AdminToken })
            {
                using var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
                if (token is not null)
                {
                    client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
                }

                var response = await client.GetAsync(path);
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), path);
                Assert.That(response.Headers.Location!.AbsolutePath, Is.EqualTo("/ui/signin"), path);
            }
        }
    }

    [TestCase("/ui/site.css", "text/css")]
    [TestCase("/ui/live.js", "text/javascript")]
    public async Task StylesheetAndScript_AreServedToAnyone(string path, string type)
    {
        using var factory = new ControllerFactory();
        using var client = factory.CreateClient();
        var response = await client.GetAsync(path);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo(type));
    }

    [Test]
    public async Task SignIn_WithoutAntiforgeryToken_400_SetsNoCookie()
    {
        using var factory = new ControllerFactory();
        using var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        Assert.That((await client.GetAsync("/ui/signin")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var response = await client.PostAsync("/ui/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = ControllerFactory.AdminToken }));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Headers.Contains("Set-Cookie") && response.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("controller_ui=", StringComparison.Ordinal)), Is.False);
    }

    [Test]
    public async Task RevokedToken_EndsTheSession()
    {
        using var factory = new ControllerFactory();
        using var admin = factory.Admin();
        var created = await (await admin.PostAsJsonAsync("/token", new { kind = "viewer", name = "ops" })).ReadJsonAsync();
        using var browser = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var form = await browser.GetStringAsync("/ui/signin");
        var antiforgery = System.Text.RegularExpressions.Regex.Match(form, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        var signIn = await browser.PostAsync("/ui/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = created["token"]!.GetValue<string>(),
            ["__RequestVerificationToken"] = antiforgery,
        }));
        Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That((await browser.GetAsync("/ui/hosts")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await admin.DeleteAsync($"/token/{created["tokenId"]!.GetValue<string>()}");
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        var after = await browser.GetAsync("/ui/hosts");
        Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(after.Headers.Location!.AbsolutePath, Is.EqualTo("/ui/signin"));
    }

    [Test]
    public async Task TheSessionCookie_HoldsAReferenceToTheToken_NotItsSecret()
    {
        using var factory = new ControllerFactory();
        using var admin = factory.Admin();
        var created = await (await admin.PostAsJsonAsync("/token", new { kind = "viewer", name = "ops" })).ReadJsonAsync();
        var secret = created["token"]!.GetValue<string>();
        using var browser = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var formResponse = await browser.GetAsync("/ui/signin");
        var form = await formResponse.Content.ReadAsStringAsync();
        var antiforgery = System.Text.RegularExpressions.Regex.Match(form, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        using var signIn = new HttpRequestMessage(HttpMethod.Post, "/ui/signin")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = secret, ["__RequestVerificationToken"] = antiforgery }),
        };
        signIn.Headers.Add("Cookie", string.Join("; ", formResponse.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0])));
        var signedIn = await browser.SendAsync(signIn);
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(Controller.Api.Security.DashboardCookie.CookieName + "=", StringComparison.Ordinal));
        var value = Uri.UnescapeDataString(cookie.Split(';')[0].Split('=', 2)[1]);

        // Decrypted with the controller's own keys: the ticket names the token, and nothing in it is the secret.
        var cookieOptions = factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>>()
            .Get(Controller.Api.Security.DashboardCookie.SchemeName);
        var ticket = cookieOptions.TicketDataFormat.Unprotect(value);
        Assert.That(ticket, Is.Not.Null);
        Assert.That(ticket!.Principal.FindFirst(Controller.Api.Security.TokenClaims.TokenId)?.Value, Is.EqualTo(created["tokenId"]!.GetValue<string>()));
        Assert.That(ticket.Principal.Claims.Select(c => c.Value), Has.None.Contains(secret[4..]));
        Assert.That(ticket.Properties.Items.Values, Has.None.Contains(secret[4..]));
    }

    [Test]
    public async Task HostsPage_ShowsLiveHostsByDefault_TerminatedOnesUnderAll()
    {
        using var factory = new ControllerFactory();
        using var admin = factory.Admin();
        using var live = await Agent.RegisterAsync(factory);
        using var gone = await Agent.RegisterAsync(factory);
        Assert.That((await admin.PostAsync($"/host/{gone.HostId}/terminate", null)).IsSuccessStatusCode, Is.True);
        await gone.ReportAsync();
        using var browser = await SignedInAsync(factory);

        var byDefault = await browser.GetStringAsync("/ui/hosts");
        Assert.That(byDefault, Does.Contain($"/ui/hosts/{live.HostId}"));
        Assert.That(byDefault, Does.Not.Contain($"/ui/hosts/{gone.HostId}"), "terminated hosts are not listed by default");
        var all = await browser.GetStringAsync("/ui/hosts?state=all");
        Assert.That(all, Does.Contain($"/ui/hosts/{live.HostId}").And.Contain($"/ui/hosts/{gone.HostId}"));
        var terminated = await browser.GetStringAsync("/ui/hosts?state=terminated");
        Assert.That(terminated, Does.Contain($"/ui/hosts/{gone.HostId}").And.Not.Contain($"/ui/hosts/{live.HostId}"));
    }

    [Test]
    public async Task EventsPage_LinksShowNames_FilterPicksHostsAndEnginesByName()
    {
        using var factory = new ControllerFactory();
        using var admin = factory.Admin();
        var engineId = await admin.CreateEngineAsync("named-engine", desired: 1);
        using var agent = await Agent.RegisterAsync(factory);
        await agent.ReportAsync();
        var hostname = (await (await admin.GetAsync($"/host/{agent.HostId}/detail")).ReadJsonAsync())["hostname"]!.GetValue<string>();
        using var browser = await SignedInAsync(factory);

        var page = System.Net.WebUtility.HtmlDecode(await browser.GetStringAsync("/ui/events"));
        Assert.That(page, Does.Contain($"<a href=\"/ui/engines/{engineId}\" title=\"{engineId}\">engine named-engine</a>"));
        Assert.That(page, Does.Contain($"<a href=\"/ui/hosts/{agent.HostId}\" title=\"{agent.HostId}\">host {hostname}</a>"));
        Assert.That(page, Does.Contain($"<option value=\"{engineId}\">named-engine</option>"));
        Assert.That(page, Does.Contain($"<option value=\"{agent.HostId}\">{hostname}</option>"));

        var filtered = System.Net.WebUtility.HtmlDecode(await browser.GetStringAsync($"/ui/events?engineId={engineId}"));
        Assert.That(filtered, Does.Contain($"<option value=\"{engineId}\" selected=\"selected\">named-engine</option>"));
    }

    [Test]
    public async Task TasksPage_ListsFiltersAndPages_TheDetailShowsPayloadResultAndError()
    {
        using var factory = new ControllerFactory();
        using var admin = factory.Admin();
        var engineId = await admin.CreateEngineAsync("queue-engine", desired: 0);
        var batch = await admin.PostAsJsonAsync("/task/batch", new { tasks = Enumerable.Range(0, 101).Select(i => new { engineId, payload = new { n = i } }) });
        Assert.That(batch.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var cancelled = (await admin.SubmitAsync(engineId, payload: new { uri = "s3://bucket/a.wav" })).Id();
        Assert.That((await admin.DeleteAsync($"/task/{cancelled}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var browser = await SignedInAsync(factory);

        static int Rows(string html) => System.Text.RegularExpressions.Regex.Count(html, "<tr data-task-id=");
        var first = System.Net.WebUtility.HtmlDecode(await browser.GetStringAsync("/ui/tasks"));
        Assert.That(Rows(first), Is.EqualTo(100), "a page of 100, newest first");
        Assert.That(first, Does.Contain($"<tr data-task-id=\"{cancelled}\">"), "the newest is on the first page");
        var older = System.Text.RegularExpressions.Regex.Match(first, "href=\"(/ui/tasks\\?cursor=[^\"]+)\">older</a>").Groups[1].Value;
        Assert.That(older, Is.Not.Empty);
        Assert.That(Rows(await browser.GetStringAsync(older)), Is.EqualTo(2));

        var onlyCancelled = System.Net.WebUtility.HtmlDecode(await browser.GetStringAsync($"/ui/tasks?engineId={engineId}&state=cancelled"));
        Assert.That(Rows(onlyCancelled), Is.EqualTo(1));
        Assert.That(onlyCancelled, Does.Contain($"<tr data-task-id=\"{cancelled}\">").And.Contain("queue-engine"));

        var detail = System.Net.WebUtility.HtmlDecode(await browser.GetStringAsync($"/ui/tasks/{cancelled}"));
        Assert.That(detail, Does.Contain("s3://bucket/a.wav").And.Contain("cancelled").And.Contain("queue-engine"));
        Assert.That((await browser.GetAsync($"/ui/tasks/{Guid.NewGuid()}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    /// <summary>A browser-like client (cookies, no redirects followed) signed in with the admin token.</summary>
    [Test]
    public async Task ARolloutInProgress_ShowsOnTheEnginePage_AndInTheOverview()
    {
        using var factory = new ControllerFactory();
        using var admin = factory.Admin();
        var engineId = await admin.CreateEngineAsync("rolling", desired: 2);
        using var agent = await Agent.RegisterAsync(factory);
        agent.RunEngines = true;
        await agent.ReportAsync();
        await agent.ReportAsync();
        using var browser = await SignedInAsync(factory);
        var before = System.Net.WebUtility.HtmlDecode(await browser.GetStringAsync($"/ui/engines/{engineId}"));
        Assert.That(before, Does.Not.Contain("Rollout to revision"));

        var patched = await admin.PatchAsJsonAsync($"/engine/{engineId}", new { image = "registry.example/rolling:2" });
        Assert.That(patched.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var page = System.Net.WebUtility.HtmlDecode(await browser.GetStringAsync($"/ui/engines/{engineId}"));
        Assert.That(page, Does.Contain("Rollout to revision 2").And.Contain("progressing"));
        Assert.That(page, Does.Contain("2 copies of earlier revisions still up"));
        var overview = System.Net.WebUtility.HtmlDecode(await browser.GetStringAsync("/ui"));
        Assert.That(overview, Does.Contain("rolling out revision 2, 2 outdated copies left"));
    }

    private static async Task<HttpClient> SignedInAsync(ControllerFactory factory)
    {
        var browser = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var form = await browser.GetStringAsync("/ui/signin");
        var antiforgery = System.Text.RegularExpressions.Regex.Match(form, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        var signedIn = await browser.PostAsync("/ui/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = ControllerFactory.AdminToken, ["__RequestVerificationToken"] = antiforgery }));
        Assert.That(signedIn.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), "signed in");
        return browser;
    }

    [TestCase(0, "0 GPUs")]
    [TestCase(1, "1 GPU")]
    [TestCase(2, "2 GPUs")]
    [TestCase(1234, "1,234 GPUs")]
    public void Count_PutsTheNounInTheRightNumber(long value, string expected)
    {
        Assert.That(Controller.Api.Dashboard.Display.Count(value, "GPU"), Is.EqualTo(expected));
        Assert.That(Controller.Api.Dashboard.Display.Count(value, "copy", "copies"), Is.EqualTo(expected.Replace("GPUs", "copies", StringComparison.Ordinal).Replace("GPU", "copy", StringComparison.Ordinal)));
    }
}
