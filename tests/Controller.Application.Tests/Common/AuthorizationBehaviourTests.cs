using Controller.Application.Common.Behaviours;
using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Security;
using Controller.Application.Hosts.Models;
using Controller.Application.Hosts.Queries.GetHostDetail;
using Controller.Domain.Tokens;
using Moq;

namespace Controller.Application.Tests.Common;

public sealed class AuthorizationBehaviourTests
{
    [Test]
    public void Handle_HostTokenForAnotherHost_ThrowsForbiddenWithoutCallingHandler()
    {
        var caller = new Mock<ICurrentCaller>();
        caller.Setup(c => c.Kind).Returns(TokenKind.Host);
        caller.Setup(c => c.HostId).Returns(Guid.CreateVersion7());
        var behaviour = new AuthorizationBehaviour<GetHostDetailQuery, HostDetailDto>(caller.Object);
        var called = false;

        Assert.ThrowsAsync<ForbiddenException>(async () => await behaviour.Handle(new GetHostDetailQuery(Guid.CreateVersion7()),
            (_, _) => { called = true; return default; }, CancellationToken.None));
        Assert.That(called, Is.False);
    }

    [TestCase(TokenKind.Admin)]
    [TestCase(TokenKind.Host)]
    public async Task Handle_AdminOrOwnHost_CallsHandler(TokenKind kind)
    {
        var hostId = Guid.CreateVersion7();
        var caller = new Mock<ICurrentCaller>();
        caller.Setup(c => c.Kind).Returns(kind);
        caller.Setup(c => c.HostId).Returns(kind == TokenKind.Host ? hostId : null);
        var behaviour = new AuthorizationBehaviour<GetHostDetailQuery, HostDetailDto>(caller.Object);
        var called = false;

        await behaviour.Handle(new GetHostDetailQuery(hostId), (_, _) => { called = true; return new ValueTask<HostDetailDto>((HostDetailDto)null!); }, CancellationToken.None);

        Assert.That(called, Is.True);
    }
}
