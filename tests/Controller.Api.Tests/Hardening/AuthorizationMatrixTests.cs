using System.Net;
using System.Net.Http.Json;
using System.Text;
using Controller.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Controller.Api.Tests.Hardening;

/// <summary>
/// Every endpoint of the routing table × every kind of caller → 401, 403 or allowed (neither). The expected
/// table must name every endpoint: an endpoint added without an entry here fails the test.
/// </summary>
public sealed class AuthorizationMatrixTests
{
    private enum Caller
    {
        None,
        Malformed,
        Unknown,
        Expired,
        Revoked,
        Registration,
        OtherHost,
        OtherInstance,
        OwnInstance,
        OwnHost,
        Client,
        Viewer,
        Admin,
    }

    private static readonly Caller[] Admin = [Caller.Admin];
    private static readonly Caller[] AdminOrOwnHost = [Caller.Admin, Caller.OwnHost];
    private static readonly Caller[] AdminOrClient = [Caller.Admin, Caller.Client];
    private static readonly Caller[] AdminOrViewer = [Caller.Admin, Caller.Viewer];

    private static readonly Dictionary<string, Caller[]> Allowed = new()
    {
        ["POST host/register"] = [Caller.Admin, Caller.Registration, Caller.OwnHost, Caller.OtherHost],
        ["POST host/{hostId:guid}/updatestatus"] = [Caller.OwnHost],
        ["POST host/{hostId:guid}/terminate"] = Admin,
        ["GET host/{hostId:guid}/detail"] = AdminOrOwnHost,
        ["GET host/{hostId:guid}/status"] = AdminOrOwnHost,
        ["POST host/{hostId:guid}/drain"] = Admin,
        ["POST host/{hostId:guid}/undrain"] = Admin,
        ["GET host"] = Admin,
        ["GET audit"] = Admin,
        ["POST host/{hostId:guid}/token"] = AdminOrOwnHost,
        ["POST token"] = Admin,
        ["GET token"] = Admin,
        ["DELETE token/{tokenId:guid}"] = Admin,
        ["POST engine"] = Admin,
        ["GET engine"] = Admin,
        ["GET engine/{engineId:guid}"] = Admin,
        ["PUT engine/{engineId:guid}"] = Admin,
        ["PATCH engine/{engineId:guid}"] = Admin,
        ["DELETE engine/{engineId:guid}"] = Admin,
        ["GET engine/{engineId:guid}/revisions"] = Admin,
        ["POST engine/{engineId:guid}/rollback"] = Admin,
        ["POST engine/{engineId:guid}/rollout/pause"] = Admin,
        ["POST engine/{engineId:guid}/rollout/resume"] = Admin,
        ["GET engine_instance"] = Admin,
        ["GET engine_instance/{instanceId:guid}"] = [Caller.Admin, Caller.OwnHost, Caller.OwnInstance],
        ["POST engine_instance/{instanceId:guid}/register"] = [Caller.OwnInstance],
        ["POST engine_instance/{instanceId:guid}/heartbeat"] = [Caller.OwnInstance],
        ["DELETE engine_instance/{instanceId:guid}"] = Admin,
        ["POST engine_instance/{instanceId:guid}/getwork"] = [Caller.OwnInstance],
        ["POST task"] = AdminOrClient,
        ["POST task/batch"] = AdminOrClient,
        ["GET task"] = AdminOrClient,
        ["GET task/{taskId:guid}"] = AdminOrClient,
        ["DELETE task/{taskId:guid}"] = AdminOrClient,
        ["GET event"] = AdminOrViewer,
        ["GET event/stream"] = AdminOrViewer,
    };

    private static List<string> Endpoints()
    {
        using var factory = new ControllerFactory();
        return factory.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<ControllerActionDescriptor>() is not null)
            // The dashboard's pages (cookie sign-in, HTML) are covered by DashboardAccessTests.
            .Where(e => !e.RoutePattern.RawText!.StartsWith("ui", StringComparison.Ordinal))
            // The root's index answers anyone the same links (IndexTests).
            .Where(e => e.RoutePattern.RawText != "")
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => $"{m} {e.RoutePattern.RawText}"))
            .ToList();
    }

    [Test]
    public void RoutingTable_EveryEndpointHasAnExpectation() =>
        Assert.That(Endpoints(), Is.EquivalentTo(Allowed.Keys));

    [TestCaseSource(nameof(Endpoints))]
    public async Task Endpoint_EveryCaller_GetsTheExpectedAnswer(string endpoint)
    {
        using var factory = new ControllerFactory();
        var tokens = new Dictionary<Caller, string?> { [Caller.None] = null, [Caller.Unknown] = "ctl_unknown_token" };
        using var admin = factory.Admin();
        tokens[Caller.Admin] = ControllerFactory.AdminToken;
        var expiring = await (await admin.PostAsJsonAsync("/token", new { kind = "registration", name = "x", expiresAt = factory.Clock.GetUtcNow().AddMinutes(1) })).ReadJsonAsync();
        tokens[Caller.Expired] = expiring["token"]!.GetValue<string>();
        factory.Clock.Advance(TimeSpan.FromMinutes(2));
        var revoked = await (await admin.PostAsJsonAsync("/token", new { kind = "registration", name = "r" })).ReadJsonAsync();
        await admin.DeleteAsync($"/token/{revoked["tokenId"]!.GetValue<string>()}");
        tokens[Caller.Revoked] = revoked["token"]!.GetValue<string>();
        var registration = await (await admin.PostAsJsonAsync("/token", new { kind = "registration", name = "reg" })).ReadJsonAsync();
        tokens[Caller.Registration] = registration["token"]!.GetValue<string>();
        tokens[Caller.Viewer] = (await (await admin.PostAsJsonAsync("/token", new { kind = "viewer", name = "ops" })).ReadJsonAsync())["token"]!.GetValue<string>();
        tokens[Caller.Client] = (await (await admin.PostAsJsonAsync("/token", new { kind = "client", name = "submitter" })).ReadJsonAsync())["token"]!.GetValue<string>();

        var engine = await (await admin.PostAsJsonAsync("/engine", new
        {
            name = "e",
            image = "i",
            resources = new { cpuMillicores = 100, memoryMiB = 100 },
            minInstances = 0,
            maxInstances = 2,
            desiredInstances = 2,
        })).ReadJsonAsync();
        using var own = await Agent.RegisterAsync(factory);
        using var other = await Agent.RegisterAsync(factory);
        await own.ReportAsync();
        await other.ReportAsync();
        tokens[Caller.OwnHost] = own.Token;
        tokens[Caller.OtherHost] = other.Token;
        var ownInstance = own.Containers.Single();
        tokens[Caller.OwnInstance] = ownInstance.Value.Launch["environment"]!["ENGINE_INSTANCE_TOKEN"]!.GetValue<string>();
        tokens[Caller.OtherInstance] = other.Containers.Single().Value.Launch["environment"]!["ENGINE_INSTANCE_TOKEN"]!.GetValue<string>();
        tokens[Caller.Malformed] = "%%%";

        var (method, pattern) = (endpoint.Split(' ')[0], endpoint.Split(' ')[1]);
        var path = "/" + pattern
            .Replace("{hostId:guid}", own.HostId.ToString(), StringComparison.Ordinal)
            .Replace("{tokenId:guid}", registration["tokenId"]!.GetValue<string>(), StringComparison.Ordinal)
            .Replace("{engineId:guid}", engine["engineId"]!.GetValue<string>(), StringComparison.Ordinal)
            .Replace("{instanceId:guid}", ownInstance.Key.ToString(), StringComparison.Ordinal)
            .Replace("{taskId:guid}", (await admin.SubmitAsync(Guid.Parse(engine["engineId"]!.GetValue<string>()))).Id().ToString(), StringComparison.Ordinal);
        var body = pattern.EndsWith("updatestatus", StringComparison.Ordinal) ? ApiClient.Status()
            : pattern == "host/register" ? ApiClient.HostBody("matrix-" + Guid.NewGuid())
            : (object)new { };

        foreach (var caller in Enum.GetValues<Caller>())
        {
            using var client = factory.ClientWith(null);
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (tokens[caller] is { } token)
            {
                request.Headers.TryAddWithoutValidation("Authorization", caller == Caller.Malformed ? "Bearer" : $"Bearer {token}");
            }

            if (method is "POST" or "PUT")
            {
                request.Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
            }

            // A stream that is allowed never ends: only its status line is read.
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            var streaming = response.Content.Headers.ContentType?.MediaType == "text/event-stream";
            var context = $"{endpoint} as {caller}: {(int)response.StatusCode} {(streaming ? "(stream)" : await response.Content.ReadAsStringAsync())}";
            if (caller is Caller.None or Caller.Malformed or Caller.Unknown or Caller.Expired or Caller.Revoked)
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), context);
                Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.StartWith("Bearer"), context);
            }
            else if (Allowed[endpoint].Contains(caller))
            {
                Assert.That(response.StatusCode, Is.Not.AnyOf(HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden, HttpStatusCode.InternalServerError), context);
            }
            else
            {
                await response.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
            }
        }
    }
}
