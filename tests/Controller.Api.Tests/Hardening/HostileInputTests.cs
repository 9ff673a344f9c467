using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Controller.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Controller.Api.Tests.Hardening;

/// <summary>Inputs that once reached a 500 (or were accepted): each is now a 400 naming the path, and changes nothing.</summary>
public sealed class HostileInputTests
{
    private ControllerFactory _factory = null!;
    private HttpClient _admin = null!;

    [SetUp]
    public void SetUp()
    {
        _factory = new ControllerFactory();
        _admin = _factory.Admin();
    }

    [TearDown]
    public void TearDown()
    {
        _admin.Dispose();
        _factory.Dispose();
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static JsonObject Errors(JsonObject body) => body["ErrorDetail"]!["errors"]!.AsObject();

    [Test]
    public async Task UpdateStatus_NullContainer_400NamingTheElement()
    {
        var (hostId, token) = await _factory.RegisterHostAsync();
        using var agent = _factory.ClientWith(token);

        var response = await agent.PostAsync($"/host/{hostId}/updatestatus",
            Json("""{"available":{"cpuMillicores":1,"memoryMiB":1},"containers":[null]}"""));

        var body = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.That(Errors(body).ContainsKey("containers[0]"), Is.True, body.ToJsonString());
    }

    [Test]
    public async Task Register_NullGpuOrNullContainer_400NamingTheElementAndNoHost()
    {
        using var registration = _factory.ClientWith(await _factory.NewRegistrationTokenAsync());

        var gpu = await registration.PostAsync("/host/register", Json(
            """{"machineId":"m","hostname":"h","capacity":{"cpuMillicores":1000,"memoryMiB":1000,"gpuCount":1,"gpus":[null]}}"""));
        var container = await registration.PostAsync("/host/register", Json(
            """{"machineId":"m","hostname":"h","capacity":{"cpuMillicores":1000,"memoryMiB":1000},"containers":[null]}"""));

        Assert.That(Errors(await gpu.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_failed")).ContainsKey("capacity.gpus[0]"), Is.True);
        Assert.That(Errors(await container.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_failed")).ContainsKey("containers[0]"), Is.True);
        Assert.That(await _factory.CountAsync<Domain.Hosts.Host>(), Is.Zero);
    }

    [TestCase("2147483647")]
    [TestCase("1000001")]
    public async Task ListHosts_PageBeyondTheLargest_400(string page)
    {
        var response = await _admin.GetAsync($"/host?page={page}&pageSize=2");

        var body = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.That(Errors(body).ContainsKey("page"), Is.True);
    }

    [Test]
    public async Task ListHosts_LargestPageAndPageSize_200Empty()
    {
        var response = await _admin.GetAsync("/host?page=1000000&pageSize=500");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await response.ReadJsonAsync())["items"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task CreateToken_ExpiryWithAnOffset_StoredAndAnsweredInUtc()
    {
        var response = await _admin.PostAsync("/token", Json("""{"kind":"registration","name":"r","expiresAt":"2030-01-01T00:00:00+02:00"}"""));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var stored = await _factory.WithDbAsync(db => db.Tokens.AsNoTracking().Where(t => t.Name == "r").Select(t => t.ExpiresAt).SingleAsync());
        Assert.That(stored, Is.EqualTo(new DateTimeOffset(2029, 12, 31, 22, 0, 0, TimeSpan.Zero)));
        Assert.That(stored!.Value.Offset, Is.EqualTo(TimeSpan.Zero));
    }
}
