using Controller.Agent.Identity;

namespace Controller.Agent.Tests.Identity;

public sealed class HostIdentityStoreTests
{
    private string _data = null!;

    [SetUp]
    public void SetUp() => _data = Directory.CreateTempSubdirectory("identity-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_data, recursive: true);

    [Test]
    public void Save_WritesOwnerOnly_AndAnotherStoreReadsIt()
    {
        var identity = new HostIdentity(Guid.NewGuid(), "ctl_first", DateTimeOffset.UtcNow);

        new HostIdentityStore(_data).Save(identity);

        Assert.That(File.GetUnixFileMode(Path.Combine(_data, "host.json")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(new HostIdentityStore(_data).Current, Is.EqualTo(identity));
    }

    [Test]
    public void Current_AfterAnotherProcessRotatedTheToken_IsTheNewToken()
    {
        var running = new HostIdentityStore(_data);
        running.Save(new HostIdentity(Guid.NewGuid(), "ctl_first", DateTimeOffset.UtcNow));
        Assert.That(running.Current!.Token, Is.EqualTo("ctl_first"));

        Thread.Sleep(20); // a later modification time
        new HostIdentityStore(_data).Save(running.Current with { Token = "ctl_rotated" });

        Assert.That(running.Current!.Token, Is.EqualTo("ctl_rotated"));
    }

    [Test]
    public void Current_BeforeTheFirstRegistration_IsNull() => Assert.That(new HostIdentityStore(_data).Current, Is.Null);
}
