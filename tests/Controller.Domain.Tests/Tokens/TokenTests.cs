using Controller.Domain.Common;
using Controller.Domain.Tokens;

namespace Controller.Domain.Tests.Tokens;

public sealed class TokenTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Hash = new byte[32];

    [TestCase(TokenKind.Admin)]
    [TestCase(TokenKind.Registration)]
    public void IssueForAdmin_AllowedKind_IsValid(TokenKind kind)
    {
        var token = Token.IssueForAdmin(Guid.CreateVersion7(), kind, "ops", Hash, Now, null);

        Assert.That(token.IsValidAt(Now.AddYears(10)), Is.True);
    }

    [TestCase(TokenKind.Host)]
    [TestCase(TokenKind.EngineInstance)]
    public void IssueForAdmin_BoundKind_Throws(TokenKind kind)
    {
        var ex = Assert.Throws<DomainException>(() => Token.IssueForAdmin(Guid.CreateVersion7(), kind, "x", Hash, Now, null));
        Assert.That(ex!.ErrorId, Is.EqualTo("invalid_token_kind"));
    }

    [Test]
    public void IssueForAdmin_ExpiryInThePast_Throws()
    {
        Assert.Throws<DomainException>(() => Token.IssueForAdmin(Guid.CreateVersion7(), TokenKind.Admin, "x", Hash, Now, Now.AddSeconds(-1)));
    }

    [Test]
    public void IssueForAdmin_WrongHashLength_Throws()
    {
        Assert.Throws<DomainException>(() => Token.IssueForAdmin(Guid.CreateVersion7(), TokenKind.Admin, "x", new byte[3], Now, null));
    }

    [Test]
    public void IssueForAdmin_BlankName_Throws()
    {
        Assert.Throws<DomainException>(() => Token.IssueForAdmin(Guid.CreateVersion7(), TokenKind.Admin, " ", Hash, Now, null));
    }

    [Test]
    public void IsValidAt_AtOrAfterExpiry_IsFalse()
    {
        var token = Token.IssueForAdmin(Guid.CreateVersion7(), TokenKind.Registration, "r", Hash, Now, Now.AddHours(1));

        Assert.Multiple(() =>
        {
            Assert.That(token.IsValidAt(Now.AddMinutes(59)), Is.True);
            Assert.That(token.IsValidAt(Now.AddHours(1)), Is.False);
        });
    }

    [Test]
    public void Revoke_Twice_KeepsFirstRevocationTime()
    {
        var token = Token.IssueForHost(Guid.CreateVersion7(), Guid.CreateVersion7(), "h", Hash, Now);

        token.Revoke(Now.AddMinutes(1));
        token.Revoke(Now.AddMinutes(2));

        Assert.That(token.RevokedAt, Is.EqualTo(Now.AddMinutes(1)));
        Assert.That(token.IsValidAt(Now.AddMinutes(1)), Is.False);
    }

    [Test]
    public void IssueForHost_BindsToHost()
    {
        var hostId = Guid.CreateVersion7();

        var token = Token.IssueForHost(Guid.CreateVersion7(), hostId, "h", Hash, Now);

        Assert.That(token.Kind, Is.EqualTo(TokenKind.Host));
        Assert.That(token.HostId, Is.EqualTo(hostId));
        Assert.That(token.EngineInstanceId, Is.Null);
    }

    [Test]
    public void ExpireAt_EarlierThanCurrentExpiry_Shortens()
    {
        var token = Token.IssueForHost(Guid.CreateVersion7(), Guid.CreateVersion7(), "h", Hash, Now);

        token.ExpireAt(Now.AddSeconds(30));
        token.ExpireAt(Now.AddHours(1));

        Assert.That(token.ExpiresAt, Is.EqualTo(Now.AddSeconds(30)));
    }

    [Test]
    public void IssueForHostAndInstance_LongestAllowedNames_DerivedNamesFitTheColumn()
    {
        var host = Token.IssueForHost(Guid.CreateVersion7(), Guid.CreateVersion7(), new string('h', Limits.HostnameMaxLength), Hash, Now);
        var instance = Token.IssueForEngineInstance(Guid.CreateVersion7(), Guid.CreateVersion7(), new string('e', Limits.NameMaxLength), Hash, Now);

        Assert.That(host.Name, Has.Length.EqualTo(Limits.NameMaxLength));
        Assert.That(host.Name, Does.StartWith("host hhh"));
        Assert.That(instance.Name, Has.Length.EqualTo(Limits.NameMaxLength));
        Assert.That(Token.DerivedName("host ", "short"), Is.EqualTo("host short"));
    }
}
