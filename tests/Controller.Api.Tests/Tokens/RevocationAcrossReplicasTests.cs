using System.Net;
using System.Net.Http.Json;
using Controller.Api.Tests.Infrastructure;
using Controller.Application.Common.Security;
using Controller.Infrastructure.BackgroundServices;
using Controller.Infrastructure.Security;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;

namespace Controller.Api.Tests.Tokens;

/// <summary>
/// A token revoked on one replica stops working on the others at their next poll, however long they cache validations;
/// the other tokens they cache stay cached (a revocation is not a reason to read every token again).
/// </summary>
public sealed class RevocationAcrossReplicasTests
{
    [Test]
    public async Task RevokeOnOneReplica_TheOtherRefusesTheTokenAfterItsNextPoll()
    {
        var settings = TestDatabase.SharedPostgresSettings(
            ("Controller:TokenCacheSeconds", "3600"),
            ("Controller:TokenEpochPollMilliseconds", "60000")); // the fake clock does not move: only the test's own polls
        using var a = new ControllerFactory(settings);
        _ = a.Server;
        using var b = new ControllerFactory(settings);
        using var adminA = a.Admin();
        using var adminB = b.Admin();
        var issued = await (await adminA.PostAsJsonAsync("/token", new { kind = "registration", name = "short-lived" })).ReadJsonAsync();
        using var onB = b.ClientWith(issued["token"]!.GetValue<string>());
        var hostBody = ApiClient.HostBody("machine-r");
        await b.Services.GetRequiredService<TokenEpochService>().PollAsync(CancellationToken.None);
        Assert.That((await onB.PostAsJsonAsync("/host/register", hostBody)).StatusCode, Is.EqualTo(HttpStatusCode.Created), "valid, and now cached on b");
        Assert.That((await adminB.GetAsync("/engine")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the admin token, cached on b too");

        Assert.That((await adminA.DeleteAsync($"/token/{issued["tokenId"]!.GetValue<string>()}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        await a.Services.GetRequiredService<TokenEpochService>().PollAsync(CancellationToken.None);
        var expired = await b.Services.GetRequiredService<TokenEpochService>().PollAsync(CancellationToken.None);

        Assert.That(expired, Is.True, "b forgot the revoked token");
        await (await onB.PostAsJsonAsync("/host/register", ApiClient.HostBody("machine-s"))).AssertErrorAsync(HttpStatusCode.Unauthorized, "token_revoked");
        var cache = b.Services.GetRequiredService<IMemoryCache>();
        var adminKey = TokenAuthenticator.CacheKey(b.Services.GetRequiredService<ITokenService>().Hash(ControllerFactory.AdminToken));
        Assert.That(cache.TryGetValue(adminKey, out _), Is.True, "the admin token b validated before stays cached");
    }
}
