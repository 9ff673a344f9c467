using Controller.Application.Common.Security;
using Controller.Domain.Tokens;
using Controller.Infrastructure.Options;
using Controller.Infrastructure.Security;
using Controller.Infrastructure.Tests.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Time.Testing;

namespace Controller.Infrastructure.Tests.Security;

public sealed class TokenAuthenticatorTests
{
    private TestDatabase _database = null!;
    private MemoryCache _cache = null!;
    private TokenService _tokens = null!;
    private TokenCacheEpoch _epoch = null!;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [SetUp]
    public void SetUp()
    {
        _database = new TestDatabase();
        _cache = new MemoryCache(new MemoryCacheOptions());
        _epoch = new TokenCacheEpoch(_cache, Microsoft.Extensions.Options.Options.Create(new ControllerOptions { TokenCacheSeconds = 5 }));
        _tokens = new TokenService(_cache, _epoch);
    }

    [TearDown]
    public void TearDown()
    {
        _cache.Dispose();
        _epoch.Dispose();
        _database.Dispose();
    }

    private TokenAuthenticator Authenticator(Controller.Infrastructure.Persistence.ControllerDbContext db) =>
        new(db, _tokens, _cache, _epoch, new HostTokenFirstUse(db, _tokens, new Controller.Infrastructure.Persistence.NoWriteGate(),
            Microsoft.Extensions.Options.Options.Create(new Controller.Application.Common.Options.TokenOptions())), _clock);

    private async Task<(string Secret, Token Token)> StoreAsync(DateTimeOffset? expiresAt = null)
    {
        var secret = _tokens.NewSecret();
        var token = Token.IssueForAdmin(Guid.CreateVersion7(), TokenKind.Registration, "r", _tokens.Hash(secret), _clock.GetUtcNow(), expiresAt);
        await using var db = _database.CreateContext();
        db.Tokens.Add(token);
        await db.SaveChangesAsync();
        return (secret, token);
    }

    [Test]
    public void NewSecret_Is256BitsAndUnique()
    {
        var a = _tokens.NewSecret();
        var b = _tokens.NewSecret();

        Assert.That(a, Is.Not.EqualTo(b));
        Assert.That(a, Does.StartWith("ctl_").And.Length.EqualTo(4 + 43));
    }

    [Test]
    public async Task Authenticate_KnownSecret_IsValidWithItsKind()
    {
        var (secret, token) = await StoreAsync();
        await using var db = _database.CreateContext();

        var (check, snapshot) = await Authenticator(db).AuthenticateAsync(secret, CancellationToken.None);

        Assert.That(check, Is.EqualTo(TokenCheck.Valid));
        Assert.That(snapshot!.Id, Is.EqualTo(token.Id));
        Assert.That(snapshot.Kind, Is.EqualTo(TokenKind.Registration));
    }

    [Test]
    public async Task Authenticate_UnknownSecret_IsUnknown()
    {
        await using var db = _database.CreateContext();

        var (check, _) = await Authenticator(db).AuthenticateAsync("ctl_nope", CancellationToken.None);

        Assert.That(check, Is.EqualTo(TokenCheck.Unknown));
    }

    [Test]
    public async Task Authenticate_AfterExpiry_IsExpiredEvenWhenCached()
    {
        var (secret, _) = await StoreAsync(_clock.GetUtcNow().AddSeconds(2));
        await using var db = _database.CreateContext();
        Assert.That((await Authenticator(db).AuthenticateAsync(secret, CancellationToken.None)).Check, Is.EqualTo(TokenCheck.Valid));

        _clock.Advance(TimeSpan.FromSeconds(3));

        Assert.That((await Authenticator(db).AuthenticateAsync(secret, CancellationToken.None)).Check, Is.EqualTo(TokenCheck.Expired));
    }

    [Test]
    public async Task Authenticate_RevokedAndEvicted_IsRevokedAtOnce()
    {
        var (secret, token) = await StoreAsync();
        await using var db = _database.CreateContext();
        Assert.That((await Authenticator(db).AuthenticateAsync(secret, CancellationToken.None)).Check, Is.EqualTo(TokenCheck.Valid));
        await using (var writer = _database.CreateContext())
        {
            var stored = await writer.Tokens.FindAsync(token.Id);
            stored!.Revoke(_clock.GetUtcNow());
            await writer.SaveChangesAsync();
        }

        _tokens.Evict(token.Hash);

        Assert.That((await Authenticator(db).AuthenticateAsync(secret, CancellationToken.None)).Check, Is.EqualTo(TokenCheck.Revoked));
    }

    [Test]
    public async Task EpochMoved_CachedValidationIsReadAgain_AndARevocationMarksTheEpoch()
    {
        var (secret, token) = await StoreAsync();
        await using (var db = _database.CreateContext())
        {
            Assert.That((await Authenticator(db).AuthenticateAsync(secret, CancellationToken.None)).Check, Is.EqualTo(TokenCheck.Valid));
        }

        // Revoked by another replica: the row changes, this cache does not know yet.
        await using (var db = _database.CreateContext())
        {
            var stored = await db.Tokens.SingleAsync(t => t.Id == token.Id);
            stored.Revoke(_clock.GetUtcNow());
            await db.SaveChangesAsync();
        }

        await using (var db = _database.CreateContext())
        {
            Assert.That((await Authenticator(db).AuthenticateAsync(secret, CancellationToken.None)).Check, Is.EqualTo(TokenCheck.Valid), "cached");
            _epoch.ExpireAll();
            Assert.That((await Authenticator(db).AuthenticateAsync(secret, CancellationToken.None)).Check, Is.EqualTo(TokenCheck.Revoked), "read again once the epoch moved");
        }

        Assert.That(_epoch.TakeExpiryShortened(), Is.False);
        _tokens.Evict(token.Hash);
        Assert.That(_epoch.TakeExpiryShortened(), Is.False, "a revocation moves no epoch: the other replicas read its time");
        _tokens.EvictShortened(token.Hash);
        Assert.That(_epoch.TakeExpiryShortened(), Is.True, "a shortened expiry tells the other replicas to read again");
    }

    [Test]
    public async Task Forget_DropsOnlyTheRevokedTokens_OthersStayCached()
    {
        var (revokedSecret, revoked) = await StoreAsync();
        var (keptSecret, kept) = await StoreAsync();
        await using var db = _database.CreateContext();
        await Authenticator(db).AuthenticateAsync(revokedSecret, CancellationToken.None);
        await Authenticator(db).AuthenticateAsync(keptSecret, CancellationToken.None);

        var forgotten = _epoch.Forget([revoked.Hash, _tokens.Hash("ctl_never-cached")]);

        Assert.That(forgotten, Is.EqualTo(1));
        Assert.That(_cache.TryGetValue(TokenAuthenticator.CacheKey(revoked.Hash), out _), Is.False);
        Assert.That(_cache.TryGetValue(TokenAuthenticator.CacheKey(kept.Hash), out _), Is.True);
    }
}
