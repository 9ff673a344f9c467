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
        var expired = Token.IssueForAdmin(Guid.CreateVersion7(), TokenKind.Admin, "old", new byte[32], _clock.GetUtcNow().AddDays(-2), _clock.GetUtcNow().AddDays(-1));
        _tokens.Setup(t => t.ListWorkingAdminsAsync(_clock.GetUtcNow(), It.IsAny<CancellationToken>())).ReturnsAsync([token]);
        _ = expired; // an expired admin is not returned as working: it does not count

        var ex = Assert.ThrowsAsync<ConflictException>(async () => await Handler().Handle(new RevokeTokenCommand(token.Id), CancellationToken.None));

        Assert.That(ex!.ErrorId, Is.EqualTo("last_admin_token"));
        Assert.That(token.IsRevoked, Is.False);
        _unitOfWork.Verify(u => u.SaveChangesAsync(It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public async Task Handle_AdminTokenWithAnotherWorkingAdmin_RevokesAndMarksTheOtherChanged()
    {
        var token = Token.IssueForAdmin(Guid.CreateVersion7(), TokenKind.Admin, "a", new byte[32], _clock.GetUtcNow(), null);
        var other = Token.IssueForAdmin(Guid.CreateVersion7(), TokenKind.Admin, "b", new byte[32], _clock.GetUtcNow(), null);
        _tokens.Setup(t => t.FindAsync(token.Id, It.IsAny<CancellationToken>())).ReturnsAsync(token);
        _tokens.Setup(t => t.ListWorkingAdminsAsync(_clock.GetUtcNow(), It.IsAny<CancellationToken>())).ReturnsAsync([token, other]);

        await Handler().Handle(new RevokeTokenCommand(token.Id), CancellationToken.None);

        Assert.That(token.IsRevoked, Is.True);
        _tokens.Verify(t => t.MarkChanged(other), Times.Once, "a concurrent revoke of the other admin must lose on its version");
    }

    [Test]
    public async Task Handle_ConcurrentRevokeWonTheRace_RetriesAndRefusesTheLastAdmin()
    {
        var token = Token.IssueForAdmin(Guid.CreateVersion7(), TokenKind.Admin, "a", new byte[32], _clock.GetUtcNow(), null);
        var other = Token.IssueForAdmin(Guid.CreateVersion7(), TokenKind.Admin, "b", new byte[32], _clock.GetUtcNow(), null);
        _tokens.Setup(t => t.FindAsync(token.Id, It.IsAny<CancellationToken>())).ReturnsAsync(() => token);
        _tokens.SetupSequence(t => t.ListWorkingAdminsAsync(_clock.GetUtcNow(), It.IsAny<CancellationToken>()))
            .ReturnsAsync([token, other])
            .ReturnsAsync([token]);
        _unitOfWork.SetupSequence(u => u.SaveChangesAsync(It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ConcurrencyConflictException("raced", new InvalidOperationException()));
        _unitOfWork.Setup(u => u.Reset()).Callback(() => token = Token.IssueForAdmin(token.Id, TokenKind.Admin, "a", new byte[32], _clock.GetUtcNow(), null));

        var ex = Assert.ThrowsAsync<ConflictException>(async () => await Handler().Handle(new RevokeTokenCommand(token.Id), CancellationToken.None));

        Assert.That(ex!.ErrorId, Is.EqualTo("last_admin_token"));
        _unitOfWork.Verify(u => u.Reset(), Times.Once);
        await Task.CompletedTask;
    }

    [Test]
    public void Handle_UnknownToken_ThrowsNotFound()
    {
        Assert.ThrowsAsync<NotFoundException>(async () => await Handler().Handle(new RevokeTokenCommand(Guid.CreateVersion7()), CancellationToken.None));
    }
}
