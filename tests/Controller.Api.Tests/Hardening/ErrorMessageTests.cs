using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Controller.Api.Tests.Infrastructure;

namespace Controller.Api.Tests.Hardening;

/// <summary>Errors say what to fix: the allowed values, the expected type, the unknown field, where the syntax breaks.</summary>
public sealed class ErrorMessageTests
{
    private ControllerFactory _factory = null!;
    private HttpClient _admin = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        _factory = new ControllerFactory();
        _admin = _factory.Admin();
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        _admin.Dispose();
        _factory.Dispose();
    }

    private async Task<(JsonObject Body, string Text)> PostAsync(string path, string json)
    {
        var response = await _admin.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        var body = await response.AssertErrorAsync(HttpStatusCode.BadRequest);
        return (body, body["ErrorDetail"]!["errors"]!.ToJsonString());
    }

    [Test]
    public async Task WrongEnumValue_NamesTheAllowedValues()
    {
        var (_, text) = await PostAsync("/token", """{"kind":"registartion","name":"x"}""");

        Assert.That(text, Does.Contain("kind").And.Contain("\\u0022registration\\u0022").And.Contain("\\u0022admin\\u0022"));
        Assert.That(text, Does.Not.Contain("Controller.").And.Not.Contain("System."));
    }

    [Test]
    public async Task NumberSentAsString_400NamingTheExpectedType()
    {
        var (_, text) = await PostAsync("/engine",
            """{"name":"n","image":"i","resources":{"cpuMillicores":"100","memoryMiB":1},"desiredInstances":1}""");

        Assert.That(text, Does.Contain("resources.cpuMillicores").And.Contain("an integer"));
    }

    [Test]
    public async Task TrailingComma_GivesThePositionOfTheSyntaxError()
    {
        var (body, text) = await PostAsync("/token", "{\"kind\":\"registration\",\n \"name\":\"x\",}");

        Assert.That(body["ErrorId"]!.GetValue<string>(), Is.EqualTo("malformed_request"));
        Assert.That(text, Does.Contain("line 2").And.Contain("byte"));
        Assert.That(text, Does.Not.Contain("The value is not valid"));
    }

    [Test]
    public async Task AdminRequestWithUnknownField_400NamingIt()
    {
        var (_, text) = await PostAsync("/engine",
            """{"name":"n","image":"i","resources":{"cpuMillicores":100,"memoryMiB":1},"desiredInstanses":3}""");

        Assert.That(text, Does.Contain("desiredInstanses"));
    }

    [Test]
    public async Task AgentReportWithUnknownField_IsAccepted()
    {
        var (hostId, token) = await _factory.RegisterHostAsync();
        using var agent = _factory.ClientWith(token);

        var response = await agent.PostAsync($"/host/{hostId}/updatestatus", new StringContent(
            """{"available":{"cpuMillicores":1,"memoryMiB":1},"containers":[],"fieldOfANewerAgent":{"x":1}}""", Encoding.UTF8, "application/json"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "agents may be upgraded before controllers");
    }
}
