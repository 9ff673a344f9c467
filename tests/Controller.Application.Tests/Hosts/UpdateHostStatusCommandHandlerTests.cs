using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Models;
using Controller.Application.Common.Options;
using Controller.Application.Common.Security;
using Controller.Application.Tests.Common;
using Controller.Application.Hosts.Commands.UpdateHostStatus;
using Controller.Application.Hosts.FastPath;
using Controller.Application.Scheduling;
using Controller.Domain.Common;
using Controller.Domain.Hosts;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace Controller.Application.Tests.Hosts;

/// <summary>The status handler on its own (its collaborators mocked): what it reads and writes for a report.</summary>
public sealed class UpdateHostStatusCommandHandlerTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly Mock<IHostRepository> _hosts = new(MockBehavior.Strict);
    private readonly Mock<IEngineRepository> _engines = new(MockBehavior.Strict);
    private readonly Mock<IEngineInstanceRepository> _instances = new(MockBehavior.Strict);
    private readonly Mock<IUnitOfWork> _unitOfWork = new(MockBehavior.Strict);
    private readonly Mock<IClusterViewSource> _view = new();
    private readonly SteadyStateCache _steady = new();
    private readonly LastSeenBuffer _lastSeen = new();

    private UpdateHostStatusCommandHandler Handler()
    {
        var intervals = new Mock<IStatusIntervalAdvisor>();
        intervals.Setup(i => i.NextInterval()).Returns(7);
        _view.Setup(v => v.GetAsync(It.IsAny<CancellationToken>())).ReturnsAsync(new ClusterSnapshot([], [], _clock.GetUtcNow()));
        return new UpdateHostStatusCommandHandler(
            _hosts.Object, _engines.Object, _instances.Object, Mock.Of<ITokenRepository>(MockBehavior.Strict), _unitOfWork.Object, intervals.Object,
            Mock.Of<ITokenService>(MockBehavior.Strict), Mock.Of<IInstanceTokenIssuer>(MockBehavior.Strict), _view.Object, Mock.Of<IClusterChanges>(),
            Mock.Of<IPlacementGate>(MockBehavior.Strict), _steady, _lastSeen, Options.Create(new SchedulingOptions()),
            Options.Create(new ControllerEndpointOptions()), TestMetrics.Create(), _clock);
    }

    private static UpdateHostStatusCommand Report(Guid hostId) => new(hostId, new ResourcesModel(1000, 1024, 0, 0), []);

    [Test]
    public async Task SteadyReport_AnsweredFromMemory_NoRepositoryTouched_LastSeenBuffered()
    {
        var hostId = Guid.NewGuid();
        var remembered = new HostStatusAnswer(HostMode.Continue, 5, [], []);
        _steady.Remember(hostId, new SteadyState(SteadyStateCache.Fingerprint([]), remembered, _clock.GetUtcNow(), new HashSet<Guid>(), new Resources(1000, 1024, 0, 0), new Dictionary<string, string>()));
        _clock.Advance(TimeSpan.FromSeconds(5));

        var answer = await Handler().Handle(Report(hostId), CancellationToken.None);

        Assert.That(answer, Is.EqualTo(remembered with { StatusIntervalSeconds = 7 }));
        Assert.That(_lastSeen.Drain(), Is.EqualTo(new Dictionary<Guid, DateTimeOffset> { [hostId] = _clock.GetUtcNow() }));
    }

    [Test]
    public async Task TerminatedHost_ToldToTerminateAgain_NothingSaved()
    {
        var host = Host.Register(Guid.NewGuid(), new HostRegistration("m", "w", ["10.0.0.1"], "1", new Dictionary<string, string>(), new Resources(1000, 1024, 0, 0), []), _clock.GetUtcNow());
        host.Terminate(_clock.GetUtcNow());
        host.CompleteTermination(_clock.GetUtcNow());
        _hosts.Setup(h => h.FindAsync(host.Id, It.IsAny<CancellationToken>())).ReturnsAsync(host);

        var answer = await Handler().Handle(Report(host.Id), CancellationToken.None);

        Assert.That(answer.Mode, Is.EqualTo(HostMode.Terminate));
        Assert.That(answer.Launch, Is.Empty);
        Assert.That(answer.Terminate, Is.Empty);
        _unitOfWork.VerifyNoOtherCalls();
    }
}
