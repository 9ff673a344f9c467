using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Security;
using Controller.Application.Hosts.Commands.RegisterHost;
using Controller.Application.Hosts.Models;
using Controller.Domain.Common;
using Controller.Domain.Hosts;
using Controller.Domain.Tokens;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace Controller.Application.Tests.Hosts;

public sealed class RegisterHostCommandHandlerTests
{
    private Mock<IHostRepository> _hosts = null!;
    private Mock<ITokenRepository> _tokens = null!;
    private Mock<IUnitOfWork> _unitOfWork = null!;
    private Mock<ITokenService> _tokenService = null!;
    private Mock<ICurrentCaller> _caller = null!;
    private Mock<IStatusIntervalAdvisor> _intervals = null!;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [SetUp]
    public void SetUp()
    {
        _hosts = new Mock<IHostRepository>();
        _tokens = new Mock<ITokenRepository>();
        _unitOfWork = new Mock<IUnitOfWork>();
        _tokenService = new Mock<ITokenService>();
        _caller = new Mock<ICurrentCaller>();
        _intervals = new Mock<IStatusIntervalAdvisor>();
        _tokenService.Setup(t => t.NewSecret()).Returns("ctl_secret");
        _tokenService.Setup(t => t.Hash("ctl_secret")).Returns(new byte[32]);
        _intervals.Setup(i => i.NextInterval()).Returns(5);
        _caller.Setup(c => c.Kind).Returns(TokenKind.Registration);
    }

    private RegisterHostCommandHandler Handler() =>
        new(_hosts.Object, new TokenIssuer(_tokens.Object, _tokenService.Object), _unitOfWork.Object, _caller.Object, _intervals.Object, _clock);

    private static RegisterHostCommand Command(string machineId = "m-1") =>
        new(machineId, "worker", ["10.0.0.1"], "1.0", new Dictionary<string, string>(), new CapacityModel(4000, 8192, 0, 1000, null), []);

    [Test]
    public async Task Handle_NewMachine_AddsHostAndBoundTokenAndSaves()
    {
        Host? added = null;
        Token? token = null;
        _hosts.Setup(h => h.Add(It.IsAny<Host>())).Callback<Host>(h => added = h);
        _tokens.Setup(t => t.Add(It.IsAny<Token>())).Callback<Token>(t => token = t);

        var result = await Handler().Handle(Command(), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(result.Created, Is.True);
            Assert.That(result.Token, Is.EqualTo("ctl_secret"));
            Assert.That(added!.Id, Is.EqualTo(result.HostId));
            Assert.That(added.Capacity, Is.EqualTo(new Resources(4000, 8192, 0, 1000)));
            Assert.That(token!.Kind, Is.EqualTo(TokenKind.Host));
            Assert.That(token.HostId, Is.EqualTo(result.HostId));
        });
        _unitOfWork.Verify(u => u.SaveChangesAsync(It.IsAny<CancellationToken>()), Times.Once);
    }

    [Test]
    public void Handle_LiveHostWithSameMachine_ThrowsConflictWithItsIdAndSavesNothing()
    {
        var existing = Host.Register(Guid.CreateVersion7(), new HostRegistration("m-1", "w", [], null, new Dictionary<string, string>(), new Resources(1, 1, 0, 0), []), _clock.GetUtcNow());
        _hosts.Setup(h => h.FindLiveByMachineIdAsync("m-1", It.IsAny<CancellationToken>())).ReturnsAsync(existing);

        var ex = Assert.ThrowsAsync<ConflictException>(async () => await Handler().Handle(Command(), CancellationToken.None));

        Assert.That(ex!.ErrorId, Is.EqualTo("host_already_registered"));
        Assert.That(ex.Detail["hostId"], Is.EqualTo(existing.Id));
        _unitOfWork.Verify(u => u.SaveChangesAsync(It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public void Handle_LosesRaceOnUniqueMachineId_ThrowsConflictWithWinnersId()
    {
        var winner = Host.Register(Guid.CreateVersion7(), new HostRegistration("m-1", "w", [], null, new Dictionary<string, string>(), new Resources(1, 1, 0, 0), []), _clock.GetUtcNow());
        _hosts.SetupSequence(h => h.FindLiveByMachineIdAsync("m-1", It.IsAny<CancellationToken>()))
            .ReturnsAsync((Host?)null)
            .ReturnsAsync(winner);
        _unitOfWork.Setup(u => u.SaveChangesAsync(It.IsAny<CancellationToken>()))
            .ThrowsAsync(new UniqueConstraintViolationException("dup", new InvalidOperationException()));

        var ex = Assert.ThrowsAsync<ConflictException>(async () => await Handler().Handle(Command(), CancellationToken.None));

        Assert.That(ex!.Detail["hostId"], Is.EqualTo(winner.Id));
        _unitOfWork.Verify(u => u.Reset(), Times.Once);
    }

    [Test]
    public async Task Handle_OwnHostToken_ReRegistersSameHostWithoutNewToken()
    {
        var host = Host.Register(Guid.CreateVersion7(), new HostRegistration("m-1", "w", [], null, new Dictionary<string, string>(), new Resources(1, 1, 0, 0), []), _clock.GetUtcNow());
        _caller.Setup(c => c.Kind).Returns(TokenKind.Host);
        _caller.Setup(c => c.HostId).Returns(host.Id);
        _hosts.Setup(h => h.FindAsync(host.Id, It.IsAny<CancellationToken>())).ReturnsAsync(host);

        var result = await Handler().Handle(Command(), CancellationToken.None);

        Assert.That(result.Created, Is.False);
        Assert.That(result.HostId, Is.EqualTo(host.Id));
        Assert.That(result.Token, Is.Null);
        Assert.That(host.Capacity.CpuMillicores, Is.EqualTo(4000));
        _tokens.Verify(t => t.Add(It.IsAny<Token>()), Times.Never);
        _unitOfWork.Verify(u => u.SaveChangesAsync(It.IsAny<CancellationToken>()), Times.Once);
    }
}
