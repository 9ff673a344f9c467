using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Security;
using Controller.Application.Tokens.Commands.RevokeToken;
using Controller.Domain.Tokens;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace Controller.Application.Tests.Tokens;

public sealed class RevokeTokenCommandHandlerTests
{
    private Mock<ITokenRepository> _tokens = null!;
    private Mock<IUnitOfWork> _unitOfWork = null!;
    private Mock<ITokenService> _tokenService = null!;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [SetUp]
    public void SetUp()
    {
        _tokens = new Mock<ITokenRepository>();
        _unitOfWork = new Mock<IUnitOfWork>();
        _tokenService = new Mock<ITokenService>();
    }

    private RevokeTokenCommandHandler Handler() => new(_tokens.Object, _unitOfWork.Object, _tokenService.Object, _clock);

    [Test]
    public async Task Handle_RegistrationToken_RevokesSavesAndEvictsCache()
    {
        var token = Token.IssueForAdmin(Guid.CreateVersion7(), TokenKind.Registration, "r", new byte[32], _clock.GetUtcNow(), null);
        _tokens.Setup(t => t.FindAsync(token.Id, It.IsAny<CancellationToken>())).ReturnsAsync(token);

        await Handler().Handle(new RevokeTokenCommand(token.Id), CancellationToken.None);

        Assert.That(token.RevokedAt, Is.EqualTo(_clock.GetUtcNow()));
        _unitOfWork.Verify(u => u.SaveChangesAsync(It.IsAny<CancellationToken>()), Times.Once);
        _tokenService.Verify(s => s.Evict(token.Hash), Times.Once);
    }

    [Test]
    public void Handle_LastAdminToken_ThrowsConflictAndKeepsIt()
    {
        var token = Token.IssueForAdmin(Guid.CreateVersion7(), TokenKind.Admin, "a", new byte[32], _clock.GetUtcNow(), null);
        _tokens.Setup(t => t.FindAsync(token.Id, It.IsAny<CancellationToken>())).ReturnsAsync(token);
        _tokens.Setup(t => t.ListAsync(TokenKind.Admin, false, 0, 2, It.IsAny<CancellationToken>())).ReturnsAsync(([token], 1));

        var ex = Assert.ThrowsAsync<ConflictException>(async () => await Handler().Handle(new RevokeTokenCommand(token.Id), CancellationToken.None));

        Assert.That(ex!.ErrorId, Is.EqualTo("last_admin_token"));
        Assert.That(token.IsRevoked, Is.False);
        _unitOfWork.Verify(u => u.SaveChangesAsync(It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public void Handle_UnknownToken_ThrowsNotFound()
    {
        Assert.ThrowsAsync<NotFoundException>(async () => await Handler().Handle(new RevokeTokenCommand(Guid.CreateVersion7()), CancellationToken.None));
    }
}
