using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Application.Hosts.Commands.TerminateHost;
using Controller.Domain.Common;
using Controller.Domain.Hosts;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace Controller.Application.Tests.Hosts;

/// <summary>An admin's change of a host that loses a race with the host's own status round is made again on a fresh read.</summary>
public sealed class HostUpdatesTests
{
    [Test]
    public async Task Terminate_LosesARaceWithAStatusRound_IsMadeAgainOnAFreshRead_AndSucceeds()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Host Fresh() => Host.Register(Guid.Parse("01a25037-44e0-7ebc-83a5-3af5da94ffe1"),
            new HostRegistration("m", "w", ["10.0.0.1"], "1", new Dictionary<string, string>(), new Resources(1000, 1024, 0, 0), []), clock.GetUtcNow());
        var reads = new List<Host>();
        var hosts = new Mock<IHostRepository>();
        hosts.Setup(h => h.FindAsync(It.IsAny<Guid>(), It.IsAny<CancellationToken>())).ReturnsAsync(() =>
        {
            reads.Add(Fresh());
            return reads[^1];
        });
        var saves = 0;
        var unitOfWork = new Mock<IUnitOfWork>();
        unitOfWork.Setup(u => u.SaveChangesAsync(It.IsAny<CancellationToken>())).Returns(() =>
            ++saves == 1 ? throw new ConcurrencyConflictException("the host reported meanwhile", new InvalidOperationException()) : Task.CompletedTask);

        var answer = await new TerminateHostCommandHandler(hosts.Object, unitOfWork.Object, clock)
            .Handle(new TerminateHostCommand(Guid.NewGuid()), CancellationToken.None);

        Assert.That(saves, Is.EqualTo(2));
        Assert.That(reads, Has.Count.EqualTo(2), "read again after the lost race");
        Assert.That(answer.State, Is.EqualTo(HostState.Terminating));
        unitOfWork.Verify(u => u.Reset(), Times.Once);
    }
}
