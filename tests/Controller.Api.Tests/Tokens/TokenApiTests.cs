using System.Net;
using System.Net.Http.Json;
using Controller.Api.Tests.Infrastructure;
using Controller.Domain.Tokens;

namespace Controller.Api.Tests.Tokens;

public sealed class TokenApiTests
{
    private static ControllerFactory Factory => ApiFixture.Factory;

    [Test]
    public async Task Create_Registration_Returns201WithSecretOnceAndStoresOnlyHash()
    {
        using var admin = Factory.Admin();

        var response = await admin.PostAsJsonAsync("/token", new { kind = "registration", name = "rack-3 agents" });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var body = await response.ReadJsonAsync();
        var secret = body["token"]!.GetValue<string>();
        var tokenId = Guid.Parse(body["tokenId"]!.GetValue<string>());
        Assert.That(body["kind"]!.GetValue<string>(), Is.EqualTo("registration"));
        var listing = await (await admin.GetAsync("/token?pageSize=500")).Content.ReadAsStringAsync();
        Assert.That(listing, Does.Contain(tokenId.ToString()));
        Assert.That(listing, Does.Not.Contain(secret));
        var stored = await Factory.WithDbAsync(db => Task.FromResult(db.Tokens.Single(t => t.Id == tokenId)));
        Assert.That(stored.Hash, Is.EqualTo(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret))));
    }

    [TestCase("host")]
    [TestCase("engine-instance")]
    public async Task Create_BoundKind_Returns400AndWritesNothing(string kind)
    {
        using var admin = Factory.Admin();
        var before = await Factory.CountAsync<Token>();

        var response = await admin.PostAsJsonAsync("/token", new { kind, name = "x" });

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.That(await Factory.CountAsync<Token>(), Is.EqualTo(before));
    }

    [Test]
    public async Task Create_UnknownKind_Returns400()
    {
        using var admin = Factory.Admin();

        var response = await admin.PostAsJsonAsync("/token", new { kind = "superuser", name = "x" });

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "malformed_request");
    }

    [Test]
    public async Task Create_ExpiryInThePast_Returns400()
    {
        using var admin = Factory.Admin();

        var response = await admin.PostAsJsonAsync("/token", new { kind = "admin", name = "x", expiresAt = Factory.Clock.GetUtcNow().AddMinutes(-1) });

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Test]
    public async Task Create_RegistrationToken_CannotCreateTokens()
    {
        using var registration = Factory.ClientWith(await Factory.NewRegistrationTokenAsync());

        var response = await registration.PostAsJsonAsync("/token", new { kind = "admin", name = "escalate" });

        await response.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Test]
    public async Task Revoke_Token_Returns204AndTokenStopsWorkingAtOnce()
    {
        var secret = await Factory.NewRegistrationTokenAsync();
        using var agent = Factory.ClientWith(secret);
        var first = await agent.PostAsJsonAsync("/host/register", ApiClient.HostBody(Guid.NewGuid().ToString()));
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        using var admin = Factory.Admin();
        var tokenId = await Factory.WithDbAsync(db => Task.FromResult(db.Tokens.Single(t => t.Hash == System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret))).Id));

        var revoke = await admin.DeleteAsync($"/token/{tokenId}");

        Assert.That(revoke.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        var after = await agent.PostAsJsonAsync("/host/register", ApiClient.HostBody(Guid.NewGuid().ToString()));
        await after.AssertErrorAsync(HttpStatusCode.Unauthorized, "token_revoked");
    }

    [Test]
    public async Task Revoke_Unknown_Returns404()
    {
        using var admin = Factory.Admin();

        var response = await admin.DeleteAsync($"/token/{Guid.NewGuid()}");

        await response.AssertErrorAsync(HttpStatusCode.NotFound, "token_not_found");
    }

    [Test]
    public async Task ExpiredToken_Returns401TokenExpired()
    {
        using var admin = Factory.Admin();
        var created = await (await admin.PostAsJsonAsync("/token",
            new { kind = "registration", name = "short", expiresAt = Factory.Clock.GetUtcNow().AddMinutes(10) })).ReadJsonAsync();
        using var agent = Factory.ClientWith(created["token"]!.GetValue<string>());
        var before = await agent.PostAsJsonAsync("/host/register", ApiClient.HostBody(Guid.NewGuid().ToString()));
        Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.Created));

        Factory.Clock.Advance(TimeSpan.FromMinutes(11));
        var after = await agent.PostAsJsonAsync("/host/register", ApiClient.HostBody(Guid.NewGuid().ToString()));

        await after.AssertErrorAsync(HttpStatusCode.Unauthorized, "token_expired");
    }

    [Test]
    public async Task List_FilterByKind_ShowsOnlyThatKind()
    {
        await Factory.NewRegistrationTokenAsync();
        using var admin = Factory.Admin();

        var body = await (await admin.GetAsync("/token?kind=registration&pageSize=500")).ReadJsonAsync();

        Assert.That(body["items"]!.AsArray(), Is.Not.Empty);
        Assert.That(body["items"]!.AsArray().All(i => i!["kind"]!.GetValue<string>() == "registration"), Is.True);
    }
}
