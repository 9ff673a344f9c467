using System.Net;
using System.Net.Http.Json;
using System.Text;
using Controller.Api.Tests.Infrastructure;
using Controller.Domain.Hosts;
using Microsoft.EntityFrameworkCore;

namespace Controller.Api.Tests.Hosts;

public sealed class HostApiTests
{
    private static ControllerFactory Factory => ApiFixture.Factory;

    [Test]
    public async Task Register_RegistrationToken_Returns201WithLocationAndHostToken()
    {
        using var agent = Factory.ClientWith(await Factory.NewRegistrationTokenAsync());
        var machineId = Guid.NewGuid().ToString();

        var response = await agent.PostAsJsonAsync("/host/register", ApiClient.HostBody(machineId));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var body = await response.ReadJsonAsync();
        var hostId = body["hostId"]!.GetValue<string>();
        Assert.Multiple(() =>
        {
            Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/host/{hostId}/detail"));
            Assert.That(body["token"]!.GetValue<string>(), Does.StartWith("ctl_"));
            Assert.That(body["statusIntervalSeconds"]!.GetValue<int>(), Is.GreaterThanOrEqualTo(5));
            Assert.That(body["state"]!.GetValue<string>(), Is.EqualTo("active"));
        });
        var stored = await Factory.WithDbAsync(db => db.Hosts.SingleAsync(h => h.MachineId == machineId));
        Assert.That(stored.Id.ToString(), Is.EqualTo(hostId));
    }

    [Test]
    public async Task Register_AdminToken_IsAllowed()
    {
        using var admin = Factory.Admin();

        var response = await admin.PostAsJsonAsync("/host/register", ApiClient.HostBody(Guid.NewGuid().ToString()));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
    }

    [Test]
    public async Task Register_SameMachineAgain_Returns409WithExistingIdAndWritesNothing()
    {
        var machineId = Guid.NewGuid().ToString();
        var (hostId, _) = await Factory.RegisterHostAsync(machineId);
        using var agent = Factory.ClientWith(await Factory.NewRegistrationTokenAsync());
        var hostsBefore = await Factory.CountAsync<Host>();

        var response = await agent.PostAsJsonAsync("/host/register", ApiClient.HostBody(machineId));

        var body = await response.AssertErrorAsync(HttpStatusCode.Conflict, "host_already_registered");
        Assert.That(body["ErrorDetail"]!["hostId"]!.GetValue<string>(), Is.EqualTo(hostId.ToString()));
        Assert.That(await Factory.CountAsync<Host>(), Is.EqualTo(hostsBefore));
    }

    [Test]
    public async Task Register_OwnHostToken_Returns200WithSameIdAndNoNewToken()
    {
        var machineId = Guid.NewGuid().ToString();
        var (hostId, token) = await Factory.RegisterHostAsync(machineId);
        using var agent = Factory.ClientWith(token);

        var response = await agent.PostAsJsonAsync("/host/register", ApiClient.HostBody(machineId, cpu: 32000));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var body = await response.ReadJsonAsync();
        Assert.That(body["hostId"]!.GetValue<string>(), Is.EqualTo(hostId.ToString()));
        Assert.That(body["token"], Is.Null);
        var stored = await Factory.WithDbAsync(db => db.Hosts.AsNoTracking().SingleAsync(h => h.Id == hostId));
        Assert.That(stored.Capacity.CpuMillicores, Is.EqualTo(32000));
    }

    [Test]
    public async Task Register_HostTokenWithAnotherMachineId_Returns409()
    {
        var (_, token) = await Factory.RegisterHostAsync();
        using var agent = Factory.ClientWith(token);

        var response = await agent.PostAsJsonAsync("/host/register", ApiClient.HostBody("someone-else"));

        await response.AssertErrorAsync(HttpStatusCode.Conflict, "machine_id_mismatch");
    }

    [Test]
    public async Task Register_InvalidFields_Returns400WithFieldErrorsAndWritesNothing()
    {
        using var agent = Factory.ClientWith(await Factory.NewRegistrationTokenAsync());
        var hostsBefore = await Factory.CountAsync<Host>();

        var response = await agent.PostAsJsonAsync("/host/register", new
        {
            machineId = "",
            hostname = new string('x', 300),
            ipAddresses = new[] { "not-an-ip" },
            capacity = new { cpuMillicores = -5, memoryMiB = 1024 },
        });

        var body = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_failed");
        var errors = body["ErrorDetail"]!["errors"]!.AsObject();
        Assert.That(errors.Select(e => e.Key), Is.SupersetOf(new[] { "machineId", "hostname", "capacity.cpuMillicores" }));
        Assert.That(await Factory.CountAsync<Host>(), Is.EqualTo(hostsBefore));
    }

    [Test]
    public async Task Register_MissingCapacity_Returns400()
    {
        using var agent = Factory.ClientWith(await Factory.NewRegistrationTokenAsync());

        var response = await agent.PostAsJsonAsync("/host/register", new { machineId = "m", hostname = "h" });

        var body = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.That(body["ErrorDetail"]!["errors"]!.AsObject().ContainsKey("capacity"), Is.True);
    }

    [Test]
    public async Task Register_MalformedJson_Returns400MalformedRequest()
    {
        using var agent = Factory.ClientWith(await Factory.NewRegistrationTokenAsync());

        var response = await agent.PostAsync("/host/register", new StringContent("{\"machineId\": 5,", Encoding.UTF8, "application/json"));

        var body = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "malformed_request");
        Assert.That(body.ToJsonString(), Does.Not.Contain("Controller.Application"));
    }

    [Test]
    public async Task Register_XmlBody_Returns415AndWritesNothing()
    {
        using var agent = Factory.ClientWith(await Factory.NewRegistrationTokenAsync());
        var hostsBefore = await Factory.CountAsync<Host>();

        var response = await agent.PostAsync("/host/register", new StringContent("<host/>", Encoding.UTF8, "application/xml"));

        await response.AssertErrorAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        Assert.That(await Factory.CountAsync<Host>(), Is.EqualTo(hostsBefore));
    }

    [Test]
    public async Task Register_NoBody_Returns415()
    {
        using var agent = Factory.ClientWith(await Factory.NewRegistrationTokenAsync());

        var response = await agent.PostAsync("/host/register", null);

        await response.AssertErrorAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Test]
    public async Task Register_NoToken_Returns401WithBearerChallenge()
    {
        using var anonymous = Factory.ClientWith(null);

        var response = await anonymous.PostAsJsonAsync("/host/register", ApiClient.HostBody("x"));

        await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "missing_token");
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.StartWith("Bearer"));
    }

    [Test]
    public async Task Register_UnknownToken_Returns401InvalidToken()
    {
        using var stranger = Factory.ClientWith("ctl_not-a-real-token");

        var response = await stranger.PostAsJsonAsync("/host/register", ApiClient.HostBody("x"));

        await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_token");
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.Contain("invalid_token"));
    }

    [Test]
    public async Task UpdateStatus_OwnToken_RecordsReportAndAnswersContinue()
    {
        var (hostId, token) = await Factory.RegisterHostAsync();
        using var agent = Factory.ClientWith(token);

        var response = await agent.PostAsJsonAsync($"/host/{hostId}/updatestatus", ApiClient.Status(cpu: 12000));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var body = await response.ReadJsonAsync();
        Assert.Multiple(() =>
        {
            Assert.That(body["mode"]!.GetValue<string>(), Is.EqualTo("continue"));
            Assert.That(body["launch"]!.AsArray(), Is.Empty);
            Assert.That(body["terminate"]!.AsArray(), Is.Empty);
            Assert.That(body["statusIntervalSeconds"]!.GetValue<int>(), Is.GreaterThanOrEqualTo(5));
        });
        var status = await (await agent.GetAsync($"/host/{hostId}/status")).ReadJsonAsync();
        Assert.That(status["report"]!["available"]!["cpuMillicores"]!.GetValue<int>(), Is.EqualTo(12000));
        Assert.That(status["answer"]!["mode"]!.GetValue<string>(), Is.EqualTo("continue"));
    }

    [Test]
    public async Task UpdateStatus_AnotherHostsToken_Returns403AndRecordsNothing()
    {
        var (hostA, _) = await Factory.RegisterHostAsync();
        var (_, tokenB) = await Factory.RegisterHostAsync();
        using var agentB = Factory.ClientWith(tokenB);

        var response = await agentB.PostAsJsonAsync($"/host/{hostA}/updatestatus", ApiClient.Status());

        await response.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        var stored = await Factory.WithDbAsync(db => db.Hosts.AsNoTracking().SingleAsync(h => h.Id == hostA));
        Assert.That(stored.LastStatusAt, Is.Null);
    }

    [Test]
    public async Task UpdateStatus_AdminToken_Returns403()
    {
        var (hostId, _) = await Factory.RegisterHostAsync();
        using var admin = Factory.Admin();

        var response = await admin.PostAsJsonAsync($"/host/{hostId}/updatestatus", ApiClient.Status());

        await response.AssertErrorAsync(HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task UpdateStatus_NegativeResources_Returns400AndRecordsNothing()
    {
        var (hostId, token) = await Factory.RegisterHostAsync();
        using var agent = Factory.ClientWith(token);

        var response = await agent.PostAsJsonAsync($"/host/{hostId}/updatestatus", ApiClient.Status(cpu: -1));

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_failed");
        var stored = await Factory.WithDbAsync(db => db.Hosts.AsNoTracking().SingleAsync(h => h.Id == hostId));
        Assert.That(stored.LastStatusAt, Is.Null);
    }

    [Test]
    public async Task UpdateStatus_UnknownContainerState_Returns400()
    {
        var (hostId, token) = await Factory.RegisterHostAsync();
        using var agent = Factory.ClientWith(token);

        var response = await agent.PostAsJsonAsync($"/host/{hostId}/updatestatus",
            ApiClient.Status(containers: [new { containerId = "c1", state = "paused" }]));

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "malformed_request");
    }

    [Test]
    public async Task Detail_AdminAndOwnHost_Return200_OtherHost403_Unknown404()
    {
        var (hostId, token) = await Factory.RegisterHostAsync();
        var (_, other) = await Factory.RegisterHostAsync();
        using var admin = Factory.Admin();
        using var own = Factory.ClientWith(token);
        using var stranger = Factory.ClientWith(other);

        var byAdmin = await admin.GetAsync($"/host/{hostId}/detail");
        var byOwn = await own.GetAsync($"/host/{hostId}/detail");
        var byOther = await stranger.GetAsync($"/host/{hostId}/detail");
        var unknown = await admin.GetAsync($"/host/{Guid.NewGuid()}/detail");

        Assert.That(byAdmin.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(byOwn.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var detail = await byAdmin.ReadJsonAsync();
        Assert.That(detail["capacity"]!["cpuMillicores"]!.GetValue<int>(), Is.EqualTo(16000));
        Assert.That(detail["labels"]!["zone"]!.GetValue<string>(), Is.EqualTo("a"));
        await byOther.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await unknown.AssertErrorAsync(HttpStatusCode.NotFound, "host_not_found");
    }

    [Test]
    public async Task Detail_MalformedId_Returns404()
    {
        using var admin = Factory.Admin();

        var response = await admin.GetAsync("/host/not-a-guid/detail");

        await response.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Test]
    public async Task DrainUndrainTerminate_FullLifecycle_ModeFollowsStateAndTokenIsRevoked()
    {
        var (hostId, token) = await Factory.RegisterHostAsync();
        using var admin = Factory.Admin();
        using var agent = Factory.ClientWith(token);

        var drain = await admin.PostAsJsonAsync($"/host/{hostId}/drain", new { deadlineSeconds = 60 });
        Assert.That(drain.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That((await drain.ReadJsonAsync())["state"]!.GetValue<string>(), Is.EqualTo("draining"));
        var drainingAnswer = await (await agent.PostAsJsonAsync($"/host/{hostId}/updatestatus", ApiClient.Status())).ReadJsonAsync();
        Assert.That(drainingAnswer["mode"]!.GetValue<string>(), Is.EqualTo("drain"));

        var undrain = await admin.PostAsync($"/host/{hostId}/undrain", null);
        Assert.That(undrain.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That((await undrain.ReadJsonAsync())["state"]!.GetValue<string>(), Is.EqualTo("active"));

        var terminate = await admin.PostAsync($"/host/{hostId}/terminate", null);
        Assert.That(terminate.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        var last = await (await agent.PostAsJsonAsync($"/host/{hostId}/updatestatus", ApiClient.Status())).ReadJsonAsync();
        Assert.That(last["mode"]!.GetValue<string>(), Is.EqualTo("terminate"));

        var detail = await (await admin.GetAsync($"/host/{hostId}/detail")).ReadJsonAsync();
        Assert.That(detail["state"]!.GetValue<string>(), Is.EqualTo("terminated"));
        var repeated = await (await agent.PostAsJsonAsync($"/host/{hostId}/updatestatus", ApiClient.Status())).ReadJsonAsync();
        Assert.That(repeated["mode"]!.GetValue<string>(), Is.EqualTo("terminate"), "a lost answer is repeated during the grace");

        Factory.Clock.Advance(TimeSpan.FromSeconds(301));
        var afterwards = await agent.PostAsJsonAsync($"/host/{hostId}/updatestatus", ApiClient.Status());
        await afterwards.AssertErrorAsync(HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task Drain_DrainWithoutBody_Returns202()
    {
        var (hostId, _) = await Factory.RegisterHostAsync();
        using var admin = Factory.Admin();

        var response = await admin.PostAsync($"/host/{hostId}/drain", null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
    }

    [Test]
    public async Task Undrain_TerminatingHost_Returns409AndKeepsState()
    {
        var (hostId, _) = await Factory.RegisterHostAsync();
        using var admin = Factory.Admin();
        await admin.PostAsync($"/host/{hostId}/terminate", null);

        var response = await admin.PostAsync($"/host/{hostId}/undrain", null);

        await response.AssertErrorAsync(HttpStatusCode.Conflict, "host_state_conflict");
        var stored = await Factory.WithDbAsync(db => db.Hosts.AsNoTracking().SingleAsync(h => h.Id == hostId));
        Assert.That(stored.State, Is.EqualTo(HostState.Terminating));
    }

    [Test]
    public async Task Drain_NegativeDeadline_Returns400()
    {
        var (hostId, _) = await Factory.RegisterHostAsync();
        using var admin = Factory.Admin();

        var response = await admin.PostAsJsonAsync($"/host/{hostId}/drain", new { deadlineSeconds = -1 });

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Test]
    public async Task Drain_HostToken_Returns403()
    {
        var (hostId, token) = await Factory.RegisterHostAsync();
        using var agent = Factory.ClientWith(token);

        var response = await agent.PostAsync($"/host/{hostId}/drain", null);

        await response.AssertErrorAsync(HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task List_FilterByStateAndPage_ReturnsMatchingHosts()
    {
        var (drained, _) = await Factory.RegisterHostAsync();
        using var admin = Factory.Admin();
        await admin.PostAsync($"/host/{drained}/drain", null);

        var page = await (await admin.GetAsync("/host?state=draining&page=1&pageSize=500")).ReadJsonAsync();
        var small = await (await admin.GetAsync("/host?pageSize=1")).ReadJsonAsync();

        Assert.That(page["items"]!.AsArray().Select(i => i!["hostId"]!.GetValue<string>()), Does.Contain(drained.ToString()));
        Assert.That(page["items"]!.AsArray().All(i => i!["state"]!.GetValue<string>() == "draining"), Is.True);
        Assert.That(small["items"]!.AsArray(), Has.Count.EqualTo(1));
        Assert.That(small["total"]!.GetValue<int>(), Is.GreaterThan(1));
    }

    [TestCase("/host?pageSize=0")]
    [TestCase("/host?page=0")]
    [TestCase("/host?pageSize=100000")]
    [TestCase("/host?state=sleeping")]
    [TestCase("/host?page=abc")]
    public async Task List_BadQuery_Returns400(string url)
    {
        using var admin = Factory.Admin();

        var response = await admin.GetAsync(url);

        await response.AssertErrorAsync(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task UnknownRoute_Returns404_WrongMethod_Returns405()
    {
        using var admin = Factory.Admin();

        var notFound = await admin.GetAsync("/nothing-here");
        var wrongMethod = await admin.DeleteAsync($"/host/{Guid.NewGuid()}/detail");

        await notFound.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        await wrongMethod.AssertErrorAsync(HttpStatusCode.MethodNotAllowed, "method_not_allowed");
    }
}
