using System.Net;
using Controller.Api.Tests.Infrastructure;

namespace Controller.Api.Tests.Hardening;

/// <summary>A query parameter an endpoint does not take is a 400 that names it, on every listing, instead of being ignored.</summary>
public sealed class UnknownQueryParameterTests
{
    [TestCase("/engine?name=asr", "name")]
    [TestCase("/host?hostname=w1", "hostname")]
    [TestCase("/host?label=pool%3Dgpu", "label")]
    [TestCase("/task?engine=x", "engine")]
    [TestCase("/event?limit=5&typ=host.lost", "typ")]
    [TestCase("/engine_instance?state=running&engine=asr", "engine")]
    [TestCase("/token?owner=ops", "owner")]
    [TestCase("/audit?page=1&action=x&extra=1", "extra")]
    public async Task UnknownParameter_400NamingIt_KnownOnesStillWork(string url, string unknown)
    {
        using var factory = new ControllerFactory();
        using var admin = factory.Admin();

        var error = await (await admin.GetAsync(url)).AssertErrorAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.That(error["ErrorDetail"]!["errors"]![unknown]![0]!.GetValue<string>(), Does.StartWith($"Unknown query parameter '{unknown}'"));

        var withoutIt = url.Split('?')[0];
        Assert.That((await admin.GetAsync(withoutIt)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
